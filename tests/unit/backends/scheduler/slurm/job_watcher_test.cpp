#include "backends/scheduler/slurm/job_watcher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sfapid::slurm {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kNow = 1'800'000'000;

class JobWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("job-watcher-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }
  std::string Read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
};

Rows Accounting(std::vector<JobRow> rows) { return WithJson(std::move(rows)); }

JobRow SacctRow(const std::string& jobid, const std::string& state) {
  return JobRow{{"jobid", jobid},     {"state", state},  {"account", "m1"},
                {"exitcode", "0:0"},  {"nnodes", "2"},   {"submit", "2026-01-01T00:00:00"},
                {"start", "Unknown"}, {"end", "Unknown"}};
}

JobWatcher::Sources From(Rows queue, Rows accounting, std::vector<std::string>* by_id = nullptr) {
  auto q = std::make_shared<const Rows>(std::move(queue));
  auto a = std::make_shared<const Rows>(std::move(accounting));
  return {[q]() -> Result<std::shared_ptr<const Rows>> { return q; },
          [a]() -> Result<std::shared_ptr<const Rows>> { return a; },
          [by_id](const std::string& ids) -> Result<Rows> {
            if (by_id) by_id->push_back(ids);
            return Rows{};
          }};
}

TEST_F(JobWatcherTest, AWatchedJobIsSavedAndSurvivesARestart) {
  JobWatcher watcher("perlmutter", dir_.string());
  ASSERT_TRUE(watcher.Load().ok());  // no file yet: none watched
  ASSERT_TRUE(watcher.Watch("12", "alice", kNow).ok());
  ASSERT_TRUE(watcher.Watch("13", "bob", kNow + 1).ok());
  EXPECT_TRUE(fs::exists(watcher.state_file()));
  EXPECT_FALSE(fs::exists(watcher.state_file() + ".tmp"));
  EXPECT_EQ(fs::status(watcher.state_file()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(Read(watcher.state_file()),
            R"({"12":{"user":"alice","submitted":1800000000,"reservation":""},)"
            R"("13":{"user":"bob","submitted":1800000001,"reservation":""}})");

  JobWatcher after("perlmutter", dir_.string());
  ASSERT_TRUE(after.Load().ok());
  EXPECT_EQ(after.size(), 2u);
  ASSERT_TRUE(after.Forget({"12"}).ok());
  JobWatcher again("perlmutter", dir_.string());
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.size(), 1u);
}

// The failure path: a state folder that cannot be written is reported and counted, and the job
// is still watched while sfapid runs.
TEST_F(JobWatcherTest, AFailedSaveIsReturnedAndCounted) {
  fs::create_directories(dir_.parent_path());
  { std::ofstream(dir_.string()) << "a file where the folder should be"; }
  JobWatcher watcher("perlmutter", dir_.string());
  const Status s = watcher.Watch("12", "alice", kNow);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(watcher.save_failures(), 1u);
  EXPECT_EQ(watcher.size(), 1u);
  EXPECT_FALSE(watcher.Forget({"12"}).ok());
  EXPECT_EQ(watcher.save_failures(), 2u);
  fs::remove(dir_);
}

TEST_F(JobWatcherTest, AnUnwritableFolderFailsTheSaveAndKeepsTheOldList) {
  if (::geteuid() == 0) {
    // root writes through permissions: make the file's temporary name a folder instead, which
    // the atomic write cannot create.
    JobWatcher watcher("perlmutter", dir_.string());
    ASSERT_TRUE(watcher.Watch("12", "alice", kNow).ok());
    const std::string before = Read(watcher.state_file());
    fs::create_directories(watcher.state_file() + ".tmp/blocker");
    EXPECT_FALSE(watcher.Watch("13", "alice", kNow).ok());
    EXPECT_EQ(Read(watcher.state_file()), before);
    EXPECT_EQ(watcher.save_failures(), 1u);
    return;
  }
  JobWatcher watcher("perlmutter", dir_.string());
  ASSERT_TRUE(watcher.Watch("12", "alice", kNow).ok());
  const std::string before = Read(watcher.state_file());
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_FALSE(watcher.Watch("13", "alice", kNow).ok());
  EXPECT_EQ(Read(watcher.state_file()), before);
  EXPECT_EQ(watcher.save_failures(), 1u);
}

TEST_F(JobWatcherTest, ADamagedFileIsAnErrorNotSilence) {
  fs::create_directories(dir_);
  JobWatcher watcher("perlmutter", dir_.string());
  { std::ofstream(watcher.state_file()) << "{not json"; }
  EXPECT_FALSE(watcher.Load().ok());
  {
    std::ofstream(watcher.state_file())
        << R"({"12":{"user":"alice","submitted":5},"13":{"user":7}})";
  }
  const Status s = watcher.Load();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("1 damaged record"), std::string::npos) << s.message();
  EXPECT_EQ(watcher.size(), 1u);  // the good record is kept
}

TEST_F(JobWatcherTest, EndedJobsAreReportedAndForgottenOnlyWhenAsked) {
  JobWatcher watcher("perlmutter", dir_.string());
  ASSERT_TRUE(watcher.Watch("12", "alice", kNow).ok());
  ASSERT_TRUE(watcher.Watch("13", "alice", kNow).ok());
  ASSERT_TRUE(watcher.Watch("14", "bob", kNow).ok());
  // 12 still runs (queue); 13 ended (accounting); 14 is an array with one task still running.
  const Rows queue = Accounting({JobRow{{"jobid", "12"}, {"state", "RUNNING"}}});
  const Rows accounting = Accounting({SacctRow("12", "RUNNING"), SacctRow("13", "CANCELLED by 5"),
                                      SacctRow("14_0", "COMPLETED"), SacctRow("14_1", "RUNNING")});
  JobWatcher::Look look = watcher.Check(From(queue, accounting), kNow + 10);
  ASSERT_EQ(look.ended.size(), 1u);
  EXPECT_EQ(look.ended[0].jobid, "13");
  EXPECT_EQ(look.ended[0].state, "CANCELLED");
  EXPECT_EQ(look.ended[0].user, "alice");
  EXPECT_EQ(look.ended[0].system, "perlmutter");
  EXPECT_EQ(look.ended[0].nodes, 2);
  EXPECT_EQ(look.done, (std::vector<std::string>{"13"}));
  EXPECT_EQ(watcher.size(), 3u);  // Check forgets nothing
  ASSERT_TRUE(watcher.Forget(look.done).ok());
  EXPECT_EQ(watcher.size(), 2u);

  // The array ends: each task, then the summary under the array's id.
  const Rows later = Accounting(
      {SacctRow("12", "RUNNING"), SacctRow("14_0", "COMPLETED"), SacctRow("14_1", "FAILED")});
  look = watcher.Check(From(queue, later), kNow + 20);
  ASSERT_EQ(look.ended.size(), 3u);
  EXPECT_EQ(look.ended[2].jobid, "14");
  EXPECT_TRUE(look.ended[2].array_summary);
  EXPECT_EQ(look.ended[2].state, "FAILED");
}

TEST_F(JobWatcherTest, AJobKeepsItsReservationWhenSacctHasForgottenIt) {
  {
    JobWatcher watcher("perlmutter", dir_.string());
    ASSERT_TRUE(watcher.Watch("30", "alice", kNow, "alice_0a1b2c3d").ok());
    ASSERT_TRUE(watcher.Watch("31", "alice", kNow).ok());
  }
  JobWatcher watcher("perlmutter", dir_.string());  // after a restart
  ASSERT_TRUE(watcher.Load().ok());
  JobRow in_named = SacctRow("31", "COMPLETED");
  in_named["reservation"] = "maint";  // sacct's own word wins
  const Rows accounting = Accounting({SacctRow("30", "COMPLETED"), in_named});
  JobWatcher::Look look = watcher.Check(From({}, accounting), kNow + 10);
  ASSERT_EQ(look.ended.size(), 2u);
  EXPECT_EQ(look.ended[0].reservation, "alice_0a1b2c3d");
  EXPECT_EQ(look.ended[1].reservation, "maint");
}

TEST_F(JobWatcherTest, JobsOutsideTheWindowAreLookedUpByIdAndDroppedAfterADay) {
  JobWatcher watcher("perlmutter", dir_.string());
  ASSERT_TRUE(watcher.Watch("20", "alice", kNow).ok());
  std::vector<std::string> asked;
  // Just submitted and not in accounting yet: not looked up (a sacct per new job would be waste).
  auto look = watcher.Check(From({}, {}, &asked), kNow + 5);
  EXPECT_TRUE(asked.empty());
  EXPECT_TRUE(look.done.empty());
  look = watcher.Check(From({}, {}, &asked), kNow + 61);
  EXPECT_EQ(asked, (std::vector<std::string>{"20"}));
  EXPECT_TRUE(look.done.empty());
  look = watcher.Check(From({}, {}, &asked), kNow + 86401);
  EXPECT_TRUE(look.ended.empty());
  EXPECT_EQ(look.done, (std::vector<std::string>{"20"}));
}

}  // namespace
}  // namespace sfapid::slurm
