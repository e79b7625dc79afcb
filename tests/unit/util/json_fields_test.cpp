#include "util/json_fields.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid {
namespace {

namespace json = boost::json;

TEST(JsonFields, ReadsWellTypedFields) {
  const json::object o{{"s", "text"}, {"n", 42}, {"b", true}, {"a", json::array{1, 2}}};
  EXPECT_EQ(*StringField(o, "s"), "text");
  EXPECT_EQ(*IntField(o, "n"), 42);
  EXPECT_TRUE(*BoolField(o, "b"));
  EXPECT_EQ((*ArrayField(o, "a"))->size(), 2u);
}

TEST(JsonFields, MissingAndMistypedFieldsAreErrorsThatNameThem) {
  const json::object o{{"s", 1}, {"n", "x"}, {"b", "yes"}, {"a", json::object{}}, {"f", 1.5}};
  EXPECT_EQ(StringField(o, "missing").status().message(), "field 'missing' is missing");
  EXPECT_EQ(StringField(o, "s").status().message(), "field 's' is not a string");
  EXPECT_EQ(IntField(o, "n").status().message(), "field 'n' is not a whole number");
  EXPECT_FALSE(IntField(o, "f"));
  EXPECT_EQ(BoolField(o, "b").status().message(), "field 'b' is not true or false");
  EXPECT_EQ(ArrayField(o, "a").status().message(), "field 'a' is not a list");
}

}  // namespace
}  // namespace sfapid
