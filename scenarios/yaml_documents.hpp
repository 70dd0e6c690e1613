#pragma once
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace firedrill::scenarios {

struct YamlDocuments {
  std::optional<YAML::Node> first;   // none: the text holds no document
  std::optional<YAML::Mark> second;  // where a second document starts, if one does
};

// The first YAML document of `text`, and whether another follows. yaml-cpp 0.7's LoadAll never
// returns on some malformed input (`,` or `"a", b]`: its parser keeps answering with empty
// documents, each one allocated), so documents are counted with the event API, stopping at the
// second. Throws YAML::Exception on a syntax error.
YamlDocuments load_yaml_documents(const std::string& text);

}  // namespace firedrill::scenarios
