// scontrol update of a pending job as the Slurm backend runs it: one argument per changed field,
// run as the user through RunAs, and scontrol's refusals (as Slurm 22.05 printed them on the test
// cluster: "<why> for job <id>") read into the codes the API answers with.
#include "backends/scheduler/slurm/job_commands.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/fake_run_as.h"
#include "support/temp_dir.h"

namespace sfapid::slurm {
namespace {

using Args = std::vector<std::string>;

// A shell script in place of a Slurm program.
void StandIn(const std::string& path, const std::string& body) {
  std::ofstream(path) << "#!/bin/sh\n" << body;
  ::chmod(path.c_str(), 0755);
}

CommandResult Failed(const std::string& err) {
  CommandResult r;
  r.exit_code = 1;
  r.err = err;
  return r;
}

TEST(UpdateJobArgs, OnlyTheChangedFieldsEachInItsOwnArgument) {
  EXPECT_EQ(UpdateJobArgs("12", {.name = "two words=x"}),
            (Args{"update", "JobId=12", "JobName=two words=x"}));
  EXPECT_EQ(
      UpdateJobArgs(
          "12_3",
          {.name = "n", .time_limit = 5400, .partition = "debug", .account = "m1234", .nodes = 2}),
      (Args{"update", "JobId=12_3", "JobName=n", "TimeLimit=0-01:30:00", "Partition=debug",
            "Account=m1234", "NumNodes=2"}));
}

TEST(UpdateJobRefusal, ReadsScontrolsWords) {
  Status s = UpdateJobRefusal(Failed("Job is no longer pending execution for job 2848\n"));
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "Job is no longer pending execution for job 2848");
  EXPECT_EQ(UpdateJobRefusal(Failed("Invalid job id specified for job 999999\n")).code(),
            Code::kNotFound);
  EXPECT_EQ(UpdateJobRefusal(Failed("Invalid user id for job 2847\n")).code(), Code::kNotFound);
  EXPECT_EQ(UpdateJobRefusal(Failed("Access/permission denied for job 2846\n")).code(),
            Code::kPermissionDenied);
  s = UpdateJobRefusal(Failed("Invalid partition name specified for job 2846\n"));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "Invalid partition name specified for job 2846");
  CommandResult slow = Failed("");
  slow.timed_out = true;
  EXPECT_EQ(UpdateJobRefusal(slow).code(), Code::kUnavailable);
  EXPECT_EQ(UpdateJobRefusal(Failed("")).message(), "scontrol update failed (exit 1)");
}

// Through SlurmCommands and RunAs, with a stand-in scontrol that says what it was given.
TEST(UpdateJob, RunsScontrolAsTheUserOnlyWhenSomethingChanges) {
  testing::TempDir bin("slurm-bin");
  StandIn(bin / "scontrol",
          "case \"$4\" in *refuse*) echo \"Job is no longer pending execution for job 7\" >&2; "
          "exit 1;; esac\n"
          "exit 0\n");
  testing::FakeRunAs runas;
  SlurmCommands commands(bin.path(), "perlmutter", 10, runas);
  const UnixIdentity who{"alice", "alice", ::getuid(), ::getgid(), "/tmp"};

  EXPECT_TRUE(UpdateJob(commands, who, "7", {}).ok());
  EXPECT_TRUE(runas.programs().empty());
  EXPECT_TRUE(UpdateJob(commands, who, "7", {.name = "ok"}).ok());
  Status s = UpdateJob(commands, who, "7", {.name = "refuse"});
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "Job is no longer pending execution for job 7");
  ASSERT_EQ(runas.programs().size(), 2u);
  EXPECT_EQ(runas.programs()[0].account, "alice");
  EXPECT_EQ(runas.programs()[0].argv,
            (Args{bin / "scontrol", "--clusters=perlmutter", "update", "JobId=7", "JobName=ok"}));
  EXPECT_EQ(commands.runs("scontrol"), 2u);
}

// sbatch --parsable answers "<id>;<cluster>" for a job sent to a cluster by name: one of another
// cluster (a script's #SBATCH -M) is not this system's job, and its id is not taken for one.
TEST(SubmitJob, AJobOnAnotherClusterIsNotTakenForThisSystemsJob) {
  testing::TempDir bin("slurm-bin");
  StandIn(bin / "sbatch",
          "for a; do case \"$a\" in */other.sh) echo '42;elsewhere'; exit 0;;\n"
          "  */ours.sh) echo '43;perlmutter'; exit 0;; esac; done\n"
          "echo 41\n");
  testing::FakeRunAs runas;
  const UnixIdentity who{"alice", "alice", ::getuid(), ::getgid(), "/tmp"};
  JobScript script;
  script.who = who;
  script.submit_dir = "/tmp";
  const auto submit = [&](SlurmCommands& commands, const std::string& name) {
    script.path = "/tmp/" + name;
    return SubmitJob(commands, script, {"/"});
  };
  SlurmCommands unnamed(bin.path(), "", 10, runas);
  EXPECT_EQ(*submit(unnamed, "plain.sh"), "41");
  auto other = submit(unnamed, "other.sh");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(other.status().message(),
            "sbatch: job 42 was submitted to cluster elsewhere, not to this system's (the "
            "script's --clusters or -M): it runs there, and this API does not follow it");
  SlurmCommands named(bin.path(), "perlmutter", 10, runas);
  EXPECT_EQ(*submit(named, "ours.sh"), "43");
  EXPECT_EQ(submit(named, "other.sh").status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace sfapid::slurm
