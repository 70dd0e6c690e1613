#include "common/json_fields.hpp"

#include <gtest/gtest.h>

namespace firedrill::common {
namespace {

using nlohmann::json;

TEST(JsonFields, StringField) {
  json object = {{"name", "checkout"}, {"count", 3}};
  EXPECT_EQ(string_field(object, "name"), "checkout");
  EXPECT_EQ(string_field(object, "count"), "");
  EXPECT_EQ(string_field(object, "missing"), "");
  EXPECT_EQ(string_field(json::array({"name"}), "name"), "");
}

TEST(JsonFields, ObjectField) {
  json object = {{"labels", {{"team", "shop"}}}, {"annotations", "none"}};
  EXPECT_EQ(object_field(object, "labels"), (json{{"team", "shop"}}));
  EXPECT_EQ(object_field(object, "annotations"), json::object());
  EXPECT_EQ(object_field(object, "missing"), json::object());
}

TEST(JsonFields, StringsFieldSkipsWhatIsNotAString) {
  json object = {{"silencedBy", {"a", 1, nullptr, "b"}}, {"inhibitedBy", "c"}};
  EXPECT_EQ(strings_field(object, "silencedBy"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(strings_field(object, "inhibitedBy").empty());
  EXPECT_TRUE(strings_field(object, "missing").empty());
}

}  // namespace
}  // namespace firedrill::common
