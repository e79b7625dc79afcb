#include "api/iri/job_spec_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sfapid::iri {
namespace {

namespace json = boost::json;

std::vector<InvalidParam> Refusals(const std::string& text) {
  auto parsed = ParseJobSpec(json::parse(text));
  auto* bad = std::get_if<std::vector<InvalidParam>>(&parsed);
  return bad ? *bad : std::vector<InvalidParam>{};
}

BatchJobSpec Spec(const std::string& text) {
  return std::get<BatchJobSpec>(ParseJobSpec(json::parse(text)));
}

TEST(JobSpecJson, AnEmptySpecIsValidWithTheSpecsDefaults) {
  const BatchJobSpec s = Spec("{}");
  EXPECT_TRUE(s.inherit_environment);
  EXPECT_FALSE(s.executable);
  EXPECT_FALSE(s.resources);
  EXPECT_TRUE(s.arguments.empty());
}

TEST(JobSpecJson, ReadsEveryNestedField) {
  const BatchJobSpec s = Spec(R"({"executable": "/bin/echo", "arguments": ["a", "b"],
      "environment": {"X": "1"}, "inherit_environment": false,
      "resources": {"node_count": 2, "memory": 1048576, "exclusive_node_use": false},
      "attributes": {"duration": 600, "queue_name": "debug", "account": "m1",
                     "reservation_id": "r1", "custom_attributes": {"constraint": "gpu"}},
      "container": {"image": "ubuntu", "volume_mounts": [{"source": "/a", "target": "/b"}]}})");
  EXPECT_EQ(*s.executable, "/bin/echo");
  EXPECT_EQ(s.arguments, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(s.inherit_environment);
  EXPECT_EQ(*s.resources->node_count, 2);
  EXPECT_EQ(*s.resources->memory, 1048576);
  EXPECT_FALSE(s.resources->exclusive_node_use);
  EXPECT_EQ(*s.attributes.duration, 600);
  EXPECT_EQ(*s.attributes.reservation_id, "r1");
  EXPECT_EQ(s.attributes.custom_attributes.at("constraint"), "gpu");
  ASSERT_EQ(s.container->volume_mounts.size(), 1u);
  EXPECT_TRUE(s.container->volume_mounts[0].read_only);  // the spec's default
}

TEST(JobSpecJson, NamesEveryBadFieldAtOnce) {
  const auto bad = Refusals(R"({"bogus": 1, "name": "", "arguments": [1],
      "resources": {"node_count": 0, "memory": 1.5}, "attributes": {"duration": -3},
      "inherit_environment": "yes", "container": {}})");
  std::vector<std::string> names;
  for (const auto& p : bad) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"body.bogus", "body.arguments", "body.name",
                                             "body.inherit_environment",
                                             "body.resources.node_count", "body.resources.memory",
                                             "body.attributes.duration", "body.container.image"}));
}

TEST(JobSpecJson, NestedObjectsMayCarryExtraKeysAndNullsMeanAbsent) {
  const BatchJobSpec s = Spec(R"({"resources": {"node_count": null, "future": 1},
                                  "name": null, "attributes": null})");
  ASSERT_TRUE(s.resources);
  EXPECT_FALSE(s.resources->node_count);
  EXPECT_FALSE(s.name);
}

TEST(JobSpecJson, CanonicalFormIgnoresKeyOrderAndSpelledOutDefaults) {
  EXPECT_EQ(CanonicalJobSpec(Spec(R"({"name": "a", "executable": "/bin/true"})")),
            CanonicalJobSpec(Spec(
                R"({"executable": "/bin/true", "inherit_environment": true, "arguments": [],
                    "name": "a"})")));
  EXPECT_NE(CanonicalJobSpec(Spec(R"({"name": "a"})")), CanonicalJobSpec(Spec(R"({"name": "b"})")));
}

TEST(JobSpecJson, SortedJsonSortsKeysAtEveryDepth) {
  EXPECT_EQ(SortedJson(json::parse(R"({"b": {"z": 1, "a": [{"y": 1, "x": 2}]}, "a": 0})")),
            R"({"a":0,"b":{"a":[{"x":2,"y":1}],"z":1}})");
}

}  // namespace
}  // namespace sfapid::iri
