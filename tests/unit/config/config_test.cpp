#include "config/config.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

TEST(Config, EmbeddedDefaultHasTheClientsMachineNames) {
  auto c = LoadDefaultConfig();
  ASSERT_TRUE(c) << c.status().message();
  ASSERT_TRUE(c->FindSystem("perlmutter"));
  EXPECT_EQ(c->FindSystem("perlmutter")->system_type, SystemType::kCompute);
  EXPECT_EQ(c->FindSystem("perlmutter")->scheduler.backend, "local");
  EXPECT_EQ(c->FindSystem("dtns")->system_type, SystemType::kFilesystem);
  EXPECT_TRUE(c->FindSystem("dtn01"));
  for (const char* s : {"globus", "spin", "iris"})
    EXPECT_EQ(c->FindSystem(s)->system_type, SystemType::kService) << s;
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(c->server.listen, "127.0.0.1");
  EXPECT_EQ(c->data_dir.front(), '/');
}

TEST(Config, DefaultsFillWhatAFileLeavesOut) {
  auto c = ParseConfig(
      "data_dir = \"/srv/sfapid\"\n[[systems]]\nname = \"x\"\nsystem_type = \"compute\"\n", "t");
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_EQ(c->DataPath("sfapid.db"), "/srv/sfapid/sfapid.db");
  EXPECT_EQ(c->DataPath("/abs/db"), "/abs/db");
  EXPECT_EQ(c->systems[0].scheduler.spool_dir, "spool/x");
  EXPECT_EQ(c->systems[0].full_name, "x");
  EXPECT_EQ(c->server.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(c->tasks.wait_for_end_ms, 200);
}

TEST(Config, ErrorsNameSourceLineAndKey) {
  auto c =
      ParseConfig("[status]\nprobe_interval_seconds = 0\n[[systems]]\nname = \"x\"\n", "f.toml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(),
            "f.toml:2: 'status.probe_interval_seconds': must be at least 0.05");
  c = ParseConfig(
      "[[systems]]\nname = \"x\"\nsystem_type = \"service\"\n[systems.scheduler]\nbackend = "
      "\"local\"\n",
      "f");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(),
            "f:4: 'systems[0].scheduler': only compute systems have a scheduler");
  c = ParseConfig(
      "[[systems]]\nname = \"x\"\nsystem_type = \"compute\"\n[systems.scheduler]\nbackend = "
      "\"slurm\"\nslurm_cluster = \"a b\"\n",
      "f");
  ASSERT_FALSE(c);
  EXPECT_NE(c.status().message().find("'systems[0].scheduler.slurm_cluster': must be 1-64"),
            std::string::npos)
      << c.status().message();
  c = ParseConfig("[server]\ndrain_seconds = 601\n[[systems]]\nname = \"x\"\n", "f");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(), "f:2: 'server.drain_seconds': must be between 0 and 600");
  c = ParseConfig("[server]\nidempotency_hours = 0\n[[systems]]\nname = \"x\"\n", "f");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(), "f:2: 'server.idempotency_hours': must be between 0.01 and 720");
  c = ParseConfig("[store]\nconnections = 0\n[[systems]]\nname = \"x\"\n", "f");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(), "f:2: 'store.connections': must be between 1 and 64");
  c = ParseConfig("[tasks]\nwait_for_end_ms = 10001\n[[systems]]\nname = \"x\"\n", "f");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(), "f:2: 'tasks.wait_for_end_ms': must be between 0 and 10000");
  c = ParseConfig("[server]\n", "f");
  ASSERT_FALSE(c);
  EXPECT_NE(c.status().message().find("at least one [[systems]] entry is needed"),
            std::string::npos);
}

TEST(Config, ContainerRuntimeIsNoneUnlessNamedAndPyxisNeedsSlurm) {
  const auto parse = [](const std::string& scheduler) {
    return ParseConfig(
        "[[systems]]\nname = \"x\"\nsystem_type = \"compute\"\n"
        "[systems.scheduler]\n" +
            scheduler,
        "f");
  };
  auto c = parse("backend = \"local\"\n");
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_EQ(c->systems[0].scheduler.container_runtime, ContainerRuntime::kNone);
  c = parse("backend = \"local\"\ncontainer_runtime = \"apptainer\"\n");
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_EQ(c->systems[0].scheduler.container_runtime, ContainerRuntime::kApptainer);
  c = parse("backend = \"slurm\"\ncontainer_runtime = \"pyxis\"\n");
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_EQ(c->systems[0].scheduler.container_runtime, ContainerRuntime::kPyxis);
  c = parse("backend = \"local\"\ncontainer_runtime = \"docker\"\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(),
            "f:6: 'systems[0].scheduler.container_runtime': must be \"none\", \"apptainer\" or "
            "\"pyxis\"");
  c = parse("backend = \"local\"\ncontainer_runtime = \"pyxis\"\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(),
            "f:6: 'systems[0].scheduler.container_runtime': \"pyxis\" needs backend = \"slurm\" "
            "(it is a plugin of srun)");
  auto d = LoadDefaultConfig();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->FindSystem("perlmutter")->scheduler.container_runtime, ContainerRuntime::kNone);
}

TEST(Config, RateLimitsAreReadPerClassAndNegativeOnesRefused) {
  auto c = ParseConfig(
      "[rate_limits]\nburst_seconds = 3\nreads_per_client = 7.5\ncommands_per_address = 0\n"
      "[[systems]]\nname = \"x\"\n",
      "f");
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_EQ(c->rate_limits.burst_seconds, 3);
  EXPECT_EQ(c->rate_limits.reads.per_client, 7.5);
  EXPECT_EQ(c->rate_limits.reads.per_address, 200);  // the default where the file is silent
  EXPECT_EQ(c->rate_limits.commands.per_address, 0);
  c = ParseConfig("[rate_limits]\nsubmits_per_client = -1\n[[systems]]\nname = \"x\"\n", "f");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().message(), "f:2: 'rate_limits.submits_per_client': must not be negative");
  c = ParseConfig("[rate_limits]\nburst_seconds = 0.5\n[[systems]]\nname = \"x\"\n", "f");
  ASSERT_FALSE(c);
  c = ParseConfig("[rate_limits]\nreads = 5\n[[systems]]\nname = \"x\"\n", "f");
  ASSERT_FALSE(c);  // an unknown key
}

}  // namespace
}  // namespace sfapid
