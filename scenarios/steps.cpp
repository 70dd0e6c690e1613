#include "scenarios/steps.hpp"

#include <algorithm>

#include "common/errors.hpp"
#include "common/suggest.hpp"
#include "scenarios/fault_overlap.hpp"
#include "scenarios/load_profiles.hpp"
#include "scenarios/param_validation.hpp"

namespace firedrill::scenarios {

using common::list_names;
using common::unknown_name;

namespace {

struct KindItem {
  std::string kind;
  SourceLocation at;
  common::Params params;
};

// Where a kind item sits: keys of the enclosing map written in the item by mistake are pointed
// back there.
struct KindPlace {
  std::string noun;       // "fault" or "check"
  std::string example;    // completes "expected a fault like ..."
  const MapDecl& outer;   // the map that holds the item
  std::string outer_key;  // the key the item is written under
};

// One `{KIND: {parameters}}` map: a fault of a chaos step, or one item of a validate step's
// checks.
std::optional<KindItem> read_kind_item(YamlReader& r, const Value& v,
                                       const std::vector<KindDecl>& kinds, const KindPlace& place,
                                       const clients::Integrations& integrations) {
  const std::string& noun = place.noun;
  const std::string& example = place.example;
  auto e = r.map(v, "a " + noun + " like " + example);
  if (!e) return std::nullopt;
  if (e->fields.empty()) {
    r.error(v.at, "expected a " + noun + " like " + example + ", got an empty map");
    return std::nullopt;
  }
  const std::vector<std::string> names = kind_names(kinds);
  const Field& first = e->fields.front();
  const KindDecl* kind = find_kind(kinds, first.key);
  if (!kind) {
    r.error(first.key_at, unknown_name(noun + " kind", first.key, names, "known kinds"));
  }
  bool misindented = false;
  for (size_t i = 1; i < e->fields.size(); ++i) {
    const Field& extra = e->fields[i];
    if (find_kind(kinds, extra.key)) {
      r.error(extra.key_at, "one " + noun + " per item: `" + extra.key +
                                "` starts another; give it its own list item");
    } else if (kind && kind->schema.find(extra.key)) {
      misindented = true;
      r.error(extra.key_at, "`" + extra.key + "` is a parameter of the " + kind->name + " " + noun +
                                ": indent it under `" + kind->name + ":`");
    } else if (place.outer.find(extra.key)) {
      r.error(extra.key_at, "`" + extra.key + "` belongs to the " + place.outer.what +
                                ", not to the " + noun + ": write it at the level of `" +
                                place.outer_key + ":`");
    } else {
      r.error(extra.key_at, "unknown key `" + extra.key + "` beside the " + noun + " kind `" +
                                first.key + "`; a " + noun + " is {KIND: {parameters}}");
    }
  }
  // Parameters written beside the kind are missing under it: saying so again is noise.
  if (!kind || misindented) return std::nullopt;
  auto params = validate_params(r, first.value, kind->schema, kind->name + " " + noun);
  if (!params || e->fields.size() > 1) return std::nullopt;
  if (kind->construct) {
    try {
      kind->construct(*params, integrations);
    } catch (const common::ValueError& error) {
      r.error(first.key_at, kind->name + " " + noun + ": " + error.what());
      return std::nullopt;
    }
  }
  return KindItem{kind->name, first.key_at, std::move(*params)};
}

const StepTypeDecl* step_type_of(const std::string& key) {
  for (const auto& t : step_types()) {
    if (t.key == key) return &t;
  }
  return nullptr;
}

std::vector<std::string> step_type_keys() {
  std::vector<std::string> keys;
  for (const auto& t : step_types()) keys.push_back(t.key);
  return keys;
}

struct StepReader {
  YamlReader& r;
  const std::vector<std::string>& profiles;
  const KindCatalog& kinds;
  const clients::Integrations& integrations;

  void load(const Entries& e, const Field& type, Step& step) {
    if (auto name = r.string(type.value)) {
      step.profile = *name;
      if (std::find(profiles.begin(), profiles.end(), *name) == profiles.end()) {
        r.error(type.value.at, unknown_profile(*name, profiles));
      }
    }
    if (const Field* f = e.find("duration")) {
      if (auto d = r.duration(f->value, true)) step.duration = *d;
    }
    if (const Field* f = e.find("background")) {
      if (auto b = r.boolean(f->value)) step.background = *b;
    }
    step.name = "load " + step.profile;
  }

  void wait(const Field& type, Step& step) {
    if (auto d = r.duration(type.value, true)) step.duration = *d;
    step.name = "wait " + common::format_duration(step.duration);
  }

  void chaos(const Entries& e, const Field& type, Step& step) {
    if (auto item = read_kind_item(
            r, type.value, kinds.faults,
            {"fault", "{exec: {inject: ..., revert: ...}}", step_decl(), "chaos"}, integrations)) {
      step.fault.kind = item->kind;
      step.fault.params = std::move(item->params);
      step.fault.at = item->at;
    }
    if (const Field* f = e.find("for")) {
      if (auto d = r.duration(f->value, true)) step.fault.for_duration = *d;
    }
    step.name = "chaos " + step.fault.kind;
  }

  void validate(const Field& type, Step& step, size_t number) {
    step.name = "validate #" + std::to_string(number);
    auto e = r.map(type.value, "a map like {eventually: 3m, checks: [...]}");
    if (!e) return;
    r.check_keys(*e, validate_decl());
    const Field* window = nullptr;
    for (const auto& f : e->fields) {
      if (f.key != "eventually" && f.key != "consistently") continue;
      if (window) {
        r.error(f.key_at, "give either `eventually` or `consistently`, not both");
      } else {
        window = &f;
      }
    }
    if (!window) {
      r.error(e->self.at,
              "a validate step needs a window: `eventually: DURATION` (pass at the first success) "
              "or `consistently: DURATION` (fail at the first violation)");
    } else {
      step.window = window->key == "eventually" ? Window::Eventually : Window::Consistently;
      if (auto d = r.duration(window->value, true)) step.window_length = *d;
    }
    if (const Field* f = e->find("interval")) {
      if (auto d = r.duration(f->value, true)) step.interval = *d;
    }
    if (const Field* f = e->find("checks")) {
      auto items = r.list(f->value, "a list of checks like [{http: {url: ...}}]");
      if (!items) return;
      if (items->empty()) r.error(f->value.at, "give at least one check");
      for (const auto& item : *items) {
        if (auto check = read_kind_item(r, item, kinds.checks,
                                        {"check", "{http: {url: ...}}", validate_decl(), "checks"},
                                        integrations)) {
          step.checks.push_back({check->kind, std::move(check->params), check->at});
        }
      }
    }
  }

  std::optional<Step> read(const Value& v, size_t number) {
    auto e = r.map(v, "a step like {wait: 30s}");
    if (!e) return std::nullopt;
    const size_t errors_before = r.error_count();
    const auto known = step_decl().names();
    r.check_keys(*e, known, {}, "step");

    const Field* type_field = nullptr;
    const StepTypeDecl* type = nullptr;
    for (const auto& f : e->fields) {
      const StepTypeDecl* t = step_type_of(f.key);
      if (!t) continue;
      if (type) {
        r.error(f.key_at, "a step is one of " + list_names(step_type_keys()) +
                              ", and this one is already a `" + type->key + "` step: give `" +
                              f.key + "` its own list item");
        continue;
      }
      type_field = &f;
      type = t;
    }
    if (!type) {
      if (r.error_count() == errors_before) {
        r.error(v.at, "a step needs one of " + list_names(step_type_keys()));
      }
      return std::nullopt;
    }
    for (const auto& f : e->fields) {
      if (f.key == "name" || step_type_of(f.key) ||
          std::find(known.begin(), known.end(), f.key) == known.end() ||
          std::find(type->extra.begin(), type->extra.end(), f.key) != type->extra.end()) {
        continue;
      }
      auto owner = std::find_if(step_types().begin(), step_types().end(), [&](const auto& t) {
        return std::find(t.extra.begin(), t.extra.end(), f.key) != t.extra.end();
      });
      r.error(f.key_at, "`" + f.key + "` does not apply to a " + type->key + " step, only to " +
                            owner->key + " steps");
    }
    for (const auto& key : type->required) {
      if (!e->find(key)) {
        r.error(v.at, "missing required key `" + key + "` in " + type->key + " step");
      }
    }

    Step step;
    step.type = type->type;
    step.at = v.at;
    switch (type->type) {
      case StepType::Load:
        load(*e, *type_field, step);
        break;
      case StepType::Wait:
        wait(*type_field, step);
        break;
      case StepType::Chaos:
        chaos(*e, *type_field, step);
        break;
      case StepType::Validate:
        validate(*type_field, step, number);
        break;
    }
    if (const Field* f = e->find("name")) {
      if (auto name = r.string(f->value)) step.name = *name;
    }
    if (r.error_count() != errors_before) return std::nullopt;
    return step;
  }
};

}  // namespace

std::vector<Step> parse_steps(YamlReader& reader, const Value& value,
                              const std::vector<std::string>& profiles, const KindCatalog& kinds,
                              const clients::Integrations& integrations) {
  std::vector<Step> steps;
  auto items = reader.list(value, "a list of steps");
  if (!items) return steps;
  if (items->empty()) reader.error(value.at, "give at least one step");
  StepReader read{reader, profiles, kinds, integrations};
  const size_t errors_before = reader.error_count();
  for (size_t i = 0; i < items->size(); ++i) {
    if (auto step = read.read((*items)[i], i + 1)) steps.push_back(std::move(*step));
  }
  // The timeline between faults is known only when every step could be read.
  if (reader.error_count() == errors_before) check_fault_overlap(reader, steps, kinds);
  return steps;
}

}  // namespace firedrill::scenarios
