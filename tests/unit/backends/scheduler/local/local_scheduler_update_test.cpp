// Changing a job of the real local scheduler (its job table in a temporary spool): a held job's
// name and time limit change in its record and survive a restart; a running job, another user's
// job and an unknown one are refused. No job is started here: the held job stays held, and the
// running one is a record whose "supervisor" is a sleeping shell of this test (its command line
// names the job folder, which is how the scheduler recognises a live supervisor).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "backends/scheduler/local/job_table.h"
#include "backends/scheduler/local/local_scheduler.h"
#include "support/temp_dir.h"

namespace sfapid {
namespace {

class LocalSchedulerUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    system_.name = "laptop";
    system_.system_type = SystemType::kCompute;
    system_.scheduler.backend = "local";
    system_.scheduler.nodes = 1;
    system_.scheduler.cpus_per_node = 2;
    system_.scheduler.memory_mb_per_node = 1000;
    system_.scheduler.max_time = "1-00:00:00";
    std::filesystem::create_directories(spool_);
    StartFakeSupervisor();
    SeedRunningJob();
    Restart();
  }
  void TearDown() override {
    scheduler_.reset();
    if (supervisor_ > 0) {
      ::kill(-supervisor_, SIGKILL);  // the shell and its sleep, which holds the test's output
      ::waitpid(supervisor_, nullptr, 0);
    }
  }

  // A process whose command line holds the job folder, as `sfapid job-supervisor DIR`'s does.
  void StartFakeSupervisor() {
    supervisor_ = ::fork();
    if (supervisor_ == 0) {
      ::setpgid(0, 0);  // a group of its own, ended whole at TearDown
      const std::string dir = spool_ + "/jobs/1";
      ::execl("/bin/sh", "sh", "-c", "sleep 60", "sh", dir.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ASSERT_GT(supervisor_, 0);
    ::setpgid(supervisor_, supervisor_);  // here too: whichever runs first
  }
  void SeedRunningJob() {
    auto table = local::JobTable::Open(spool_ + "/jobs.db");
    ASSERT_TRUE(table) << table.status().message();
    local::LocalJob job;
    job.id = 1;
    job.user = "alice";
    job.account_unix = "alice";
    job.uid = who_.uid;
    job.gid = who_.gid;
    job.name = "running";
    job.partition = "regular";
    job.time_limit = 600;
    job.state = JobState::kRunning;
    job.start_time = ::time(nullptr);
    job.node_ids = {0};
    job.supervisor = supervisor_;
    ASSERT_TRUE((*table)->Insert({job}, "#!/bin/bash\nsleep 60\n").ok());
  }
  void Restart() {
    scheduler_.reset();
    scheduler_ = std::make_unique<LocalScheduler>(system_, spool_);
    scheduler_->Start();
  }
  std::string SubmitHeld() {
    JobScript script;
    script.who = who_;
    script.path = dir_ / "run.sh";
    script.submit_dir = dir_.path();
    script.text = "#!/bin/bash\n#SBATCH --hold -J first -t 10\ntrue\n";
    auto id = scheduler_->Submit(script);
    EXPECT_TRUE(id) << id.status().message();
    return id ? *id : "";
  }
  JobRow Row(const std::string& jobid) {
    JobQuery q;
    q.filters = {{"jobid", jobid}};
    auto rows = scheduler_->Query(q);
    EXPECT_TRUE(rows && rows->size() == 1u);
    return rows && rows->size() == 1u ? boost::json::parse(*rows->front()).as_object() : JobRow{};
  }

  testing::TempDir dir_{"local-update"};
  const std::string spool_ = dir_ / "spool";
  SystemConfig system_;
  UnixIdentity who_{"alice", "alice", ::getuid(), ::getgid(), "/tmp"};
  pid_t supervisor_ = -1;
  std::unique_ptr<LocalScheduler> scheduler_;
};

TEST_F(LocalSchedulerUpdateTest, AHeldJobsNameAndTimeLimitChangeInItsRecord) {
  ASSERT_EQ(RowField(Row("1"), "state"), "RUNNING");
  const std::string id = SubmitHeld();
  ASSERT_EQ(RowField(Row(id), "reason"), "JobHeldUser");
  JobChanges changes;
  changes.name = "second";
  changes.time_limit = 1800;
  changes.partition = "debug";
  Status s = scheduler_->UpdateJob(who_, id, changes);
  ASSERT_TRUE(s.ok()) << s.message();
  JobRow row = Row(id);
  EXPECT_EQ(RowField(row, "name"), "second");
  EXPECT_EQ(RowField(row, "time_limit"), "30:00");
  EXPECT_EQ(RowField(row, "partition"), "debug");
  EXPECT_EQ(RowField(row, "state"), "PENDING");  // still held
  EXPECT_EQ(RowField(row, "reason"), "JobHeldUser");
  // In the job table, not only in memory.
  Restart();
  row = Row(id);
  EXPECT_EQ(RowField(row, "name"), "second");
  EXPECT_EQ(RowField(row, "time_limit"), "30:00");
}

TEST_F(LocalSchedulerUpdateTest, ARefusedChangeLeavesTheJobAsItWas) {
  const std::string id = SubmitHeld();
  Status s = scheduler_->UpdateJob(who_, id, {.name = "second", .time_limit = 2 * 86400});
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_EQ(s.message(), "Access/permission denied for job " + id);
  s = scheduler_->UpdateJob(who_, id, {.name = "second", .partition = "nope"});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(RowField(Row(id), "name"), "first");
  EXPECT_EQ(RowField(Row(id), "time_limit"), "10:00");
}

TEST_F(LocalSchedulerUpdateTest, OnlyThePendingJobsOfTheUserChange) {
  Status running = scheduler_->UpdateJob(who_, "1", {.name = "renamed"});
  EXPECT_EQ(running.code(), Code::kFailedPrecondition);
  EXPECT_EQ(running.message(), "job 1 is not pending: only a pending job can be changed");
  EXPECT_EQ(RowField(Row("1"), "name"), "running");

  const std::string id = SubmitHeld();
  UnixIdentity bob = who_;
  bob.api_user = bob.account = "bob";
  bob.uid = who_.uid + 1;
  Status other = scheduler_->UpdateJob(bob, id, {.name = "mine"});
  EXPECT_EQ(other.code(), Code::kNotFound);
  EXPECT_EQ(other.message(), "Invalid job id specified for job " + id);
  EXPECT_EQ(scheduler_->UpdateJob(who_, "999", {.name = "x"}).code(), Code::kNotFound);
  EXPECT_EQ(RowField(Row(id), "name"), "first");
  // Empty changes only check.
  EXPECT_TRUE(scheduler_->UpdateJob(who_, id, {}).ok());
  EXPECT_EQ(scheduler_->UpdateJob(who_, "1", {}).code(), Code::kFailedPrecondition);
}

// As slurmctld, which sets the reason when it accepts the job: a query answered right after
// the submission (the API answers a submission once its task ended) reads why the job waits,
// not "None" until the next scheduling pass. (Ten submissions: the pass that a submission wakes
// races the query, and wins about half the time.)
TEST_F(LocalSchedulerUpdateTest, AJobWaitingOnAnotherSaysSoFromItsSubmission) {
  JobScript script;
  script.who = who_;
  script.path = dir_ / "after.sh";
  script.submit_dir = dir_.path();
  script.text = "#!/bin/bash\n#SBATCH -d afterok:1 -t 10\ntrue\n";
  for (int i = 0; i < 10; ++i) {
    auto id = scheduler_->Submit(script);
    ASSERT_TRUE(id) << id.status().message();
    const JobRow row = Row(*id);
    ASSERT_EQ(RowField(row, "state"), "PENDING");
    ASSERT_EQ(RowField(row, "reason"), "Dependency") << "submission " << i;
    ASSERT_EQ(RowField(row, "dependency"), "afterok:1");
  }
}

TEST_F(LocalSchedulerUpdateTest, ASubmissionsJobIsFoundByItsScriptSinceItsStart) {
  const int64_t before = ::time(nullptr);
  const std::string id = SubmitHeld();
  JobScript script;
  script.who = who_;
  script.path = dir_ / "run.sh";
  auto found = scheduler_->FindSubmitted(script, before, "");
  ASSERT_TRUE(found) << found.status().message();
  EXPECT_EQ(*found, std::vector<std::string>{id});
  // Not from another script, another user, or before the submission.
  script.path = dir_ / "other.sh";
  EXPECT_TRUE(scheduler_->FindSubmitted(script, before, "")->empty());
  script.path = dir_ / "run.sh";
  script.who.uid += 1;
  EXPECT_TRUE(scheduler_->FindSubmitted(script, before, "")->empty());
  script.who = who_;
  EXPECT_TRUE(scheduler_->FindSubmitted(script, before + 3600, "")->empty());
}

}  // namespace
}  // namespace sfapid
