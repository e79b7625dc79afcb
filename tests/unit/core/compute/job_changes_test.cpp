// What of a full IRI JobSpec changes a pending job, and the values no job could take.
#include "core/compute/job_changes.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

TEST(JobChanges, OnlyTheChangeableFieldsAreTaken) {
  BatchJobSpec spec;
  spec.executable = "/bin/true";  // not changeable: ignored
  spec.environment = {{"A", "1"}};
  spec.name = "renamed";
  spec.attributes.duration = 1800;
  spec.attributes.queue_name = "debug";
  spec.attributes.account = "m1";
  spec.resources = BatchJobSpec::Resources{.node_count = 2, .process_count = 8};
  auto c = JobChangesFrom(spec);
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_EQ(c->name, "renamed");
  EXPECT_EQ(c->time_limit, 1800);
  EXPECT_EQ(c->partition, "debug");
  EXPECT_EQ(c->account, "m1");
  EXPECT_EQ(c->nodes, 2);
  EXPECT_FALSE(c->empty());
  auto none = JobChangesFrom(BatchJobSpec{});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(JobChanges, ValuesNoJobCouldTakeAreRefusedByField) {
  const auto field = [](const BatchJobSpec& spec) {
    auto c = JobChangesFrom(spec);
    EXPECT_FALSE(c);
    return c ? "" : c.status().field() + ": " + c.status().message();
  };
  BatchJobSpec spec;
  spec.name = "two\nlines";
  EXPECT_EQ(field(spec), "name: must be one line without control characters");
  spec = {};
  spec.attributes.queue_name = "";
  EXPECT_EQ(field(spec), "attributes.queue_name: must not be empty");
  spec = {};
  spec.attributes.duration = 0;
  EXPECT_EQ(field(spec), "attributes.duration: must be at least 1 (seconds)");
  spec = {};
  spec.resources = BatchJobSpec::Resources{.node_count = 100001};
  EXPECT_EQ(field(spec), "resources.node_count: must be between 1 and 100000");
}

}  // namespace
}  // namespace sfapid
