// The local scheduler's job factory: how a script's directives become a job (the directives an
// IRI job's script carries: tasks per node, exclusive, export, input) and how a pending job's
// changes are checked against the cluster as a submission is.
#include "backends/scheduler/local/job_factory.h"

#include <gtest/gtest.h>

#include "backends/scheduler/local/job_environment.h"
#include "backends/scheduler/local/job_rows.h"

namespace sfapid::local {
namespace {

constexpr int64_t kNow = 1'800'000'000;

class JobFactoryTest : public ::testing::Test {
 protected:
  // Read by the factory when it is made: set before it.
  static SchedulerConfig Cluster() {
    SchedulerConfig c;
    c.partitions = {"regular", "debug"};
    c.max_time = "1-00:00:00";
    return c;
  }
  LocalJob Make(const std::string& directives) {
    auto jobs = factory_.Make(Script(directives), kNow);
    EXPECT_TRUE(jobs) << jobs.status().message();
    return jobs ? jobs->front() : LocalJob{};
  }
  std::string Error(const std::string& directives) {
    auto jobs = factory_.Make(Script(directives), kNow);
    EXPECT_FALSE(jobs);
    return jobs ? "" : jobs.status().message();
  }
  static JobScript Script(const std::string& directives) {
    JobScript s;
    s.who = {"alice", "alice", 1001, 1001, "/home/alice"};
    s.path = "/home/alice/run.sh";
    s.submit_dir = "/home/alice";
    s.text = "#!/bin/bash\n" + directives + "true\n";
    return s;
  }

  SchedulerConfig config_ = Cluster();
  NodePool nodes_{4, 8, 16000};  // 4 nodes of 8 CPUs
  JobFactory factory_{config_, nodes_};
};

TEST_F(JobFactoryTest, TasksPerNodeMakeTheTaskCountOrTheNodeCount) {
  LocalJob j = Make("#SBATCH -N 2 --ntasks-per-node=4\n");
  EXPECT_EQ(j.nodes, 2);
  EXPECT_EQ(j.ntasks, 8);
  EXPECT_EQ(j.ntasks_per_node, 4);
  EXPECT_EQ(j.CpusPerNode(), 4);
  j = Make("#SBATCH --ntasks-per-node=3\n");
  EXPECT_EQ(j.nodes, 1);
  EXPECT_EQ(j.ntasks, 3);
  // With --ntasks it is the most per node: more nodes when --nodes left them open ...
  j = Make("#SBATCH -n 8 --ntasks-per-node=2\n");
  EXPECT_EQ(j.nodes, 4);
  EXPECT_EQ(j.ntasks, 8);
  EXPECT_EQ(j.CpusPerNode(), 2);
  // ... else the tasks share the nodes given, and too many are refused for their CPUs.
  j = Make("#SBATCH -N 1 -n 8 --ntasks-per-node=2\n");
  EXPECT_EQ(j.nodes, 1);
  EXPECT_EQ(j.CpusPerNode(), 8);
  EXPECT_EQ(Error("#SBATCH -N 1 -n 9 --ntasks-per-node=2\n"),
            "sbatch: error: Batch job submission failed: More processors requested than "
            "permitted");
  EXPECT_EQ(Error("#SBATCH -n 10 --ntasks-per-node=2\n"),
            "sbatch: error: Batch job submission failed: Node count specification invalid");
}

TEST_F(JobFactoryTest, ExclusiveExportAndInputAreRecorded) {
  LocalJob j = Make("#SBATCH --exclusive --export=NONE --input=in-%j.txt\n");
  EXPECT_TRUE(j.exclusive);
  EXPECT_EQ(j.export_env, "NONE");
  EXPECT_EQ(j.stdin_pattern, "in-%j.txt");
  j.id = 42;
  EXPECT_EQ(ExpandOutputPattern(j.stdin_pattern, j, "nid001"), "/home/alice/in-42.txt");
  EXPECT_EQ(RowField(SqueueRow(j, {"c", {"nid001"}, kNow}), "over_subscribe"), "NO");
  const LocalJob back = FromJson(ToJson(j));
  EXPECT_TRUE(back.exclusive);
  EXPECT_EQ(back.export_env, "NONE");
  EXPECT_EQ(back.stdin_pattern, "in-%j.txt");
  EXPECT_EQ(back.ntasks_per_node, 0);
  j = Make("");
  EXPECT_FALSE(j.exclusive);
  EXPECT_EQ(j.export_env, "");
  EXPECT_EQ(j.stdin_pattern, "");
  EXPECT_EQ(RowField(SqueueRow(j, {"c", {"nid001"}, kNow}), "over_subscribe"), "OK");
}

TEST_F(JobFactoryTest, AChangeMeetsTheLimitsOfASubmission) {
  LocalJob j = Make("#SBATCH -J first -t 10 -n 2\n");
  j.id = 9;
  JobChanges c;
  c.name = "second";
  c.time_limit = 3600;
  c.partition = "debug";
  c.account = "m2";
  c.nodes = 3;
  ASSERT_TRUE(factory_.Change(j, c).ok());
  EXPECT_EQ(j.name, "second");
  EXPECT_EQ(j.time_limit, 3600);
  EXPECT_EQ(j.partition, "debug");
  EXPECT_EQ(j.account, "m2");
  EXPECT_EQ(j.nodes, 3);
  EXPECT_EQ(j.ntasks, 3);  // a task per node at least

  const LocalJob before = j;
  const auto refused = [&](JobChanges bad) {
    Status s = factory_.Change(j, bad);
    EXPECT_EQ(j.name, before.name);  // unchanged, whatever else the changes held
    EXPECT_EQ(j.nodes, before.nodes);
    return s;
  };
  Status s = refused({.name = "x", .partition = "nope"});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "Invalid partition name specified for job 9");
  s = refused({.name = "x", .time_limit = 2 * 86400});
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_EQ(s.message(), "Access/permission denied for job 9");
  s = refused({.name = "x", .nodes = 5});
  EXPECT_EQ(s.message(), "Node count specification invalid for job 9");
}

TEST(JobEnvironment, ExportNoneLeavesTheLoginBaseAndSlurmsVariables) {
  LocalJob j;
  j.id = 5;
  j.account_unix = "alice";
  j.uid = 0;
  j.nodes = 1;
  j.ntasks = 4;
  j.ntasks_per_node = 4;
  const JobPlacement where{"perlmutter", "nid001", "nid001", kNow};
  const auto names = [&](const LocalJob& job) {
    std::map<std::string, std::string> env;
    for (const auto& v : JobEnvironment(job, where)) {
      const std::string e(v.as_string());
      EXPECT_TRUE(env.emplace(e.substr(0, e.find('=')), e.substr(e.find('=') + 1)).second) << e;
    }
    return env;
  };
  auto all = names(j);
  EXPECT_EQ(all.count("LANG"), 1u);
  EXPECT_EQ(all.count("SLURM_EXPORT_ENV"), 0u);
  EXPECT_EQ(all["SLURM_NTASKS_PER_NODE"], "4");
  j.export_env = "NONE";
  auto none = names(j);
  EXPECT_EQ(none.count("LANG"), 0u);
  EXPECT_EQ(none["SLURM_EXPORT_ENV"], "NONE");
  for (const char* kept : {"HOME", "USER", "LOGNAME", "SHELL", "PATH", "SLURM_JOB_ID"})
    EXPECT_EQ(none.count(kept), 1u) << kept;
  // Assignments are set, once each, replacing the base's; Slurm's own variables still win.
  j.export_env = "ALL,PATH=/opt/bin,SLURM_JOB_ID=1,FROM_SUBMITTER";
  auto listed = names(j);
  EXPECT_EQ(listed["PATH"], "/opt/bin");
  EXPECT_EQ(listed["SLURM_JOB_ID"], "5");
  EXPECT_EQ(listed.count("FROM_SUBMITTER"), 0u);
  EXPECT_EQ(listed.count("LANG"), 1u);
  j.export_env = "A=1";  // names without ALL: NONE's base
  auto only = names(j);
  EXPECT_EQ(only["A"], "1");
  EXPECT_EQ(only.count("LANG"), 0u);
}

}  // namespace
}  // namespace sfapid::local
