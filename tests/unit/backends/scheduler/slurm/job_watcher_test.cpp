// The Slurm job watcher on a real store (SQLite, or PostgreSQL under tests/run-on-postgres): the
// list survives a restart and is one list for every node on the store; a failed write is
// returned and counted; an earlier version's state file is moved into the store; ended jobs are
// reported and forgotten only when asked.
#include "backends/scheduler/slurm/job_watcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid::slurm {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kNow = 1'800'000'000;

class JobWatcherTest : public ::testing::Test {
 protected:
  // Another handle on the same store: a restarted sfapid, or another node.
  std::unique_ptr<Store> Reopen() {
    auto store = testing::OpenTestStore(dir_ / "sfapid.db");
    EXPECT_TRUE(store) << store.status().message();
    return store ? std::move(store).value() : nullptr;
  }
  std::vector<std::string> WatchedIds(Store& store) {
    std::vector<std::string> ids;
    auto watched = store.watched().Watched("perlmutter");
    EXPECT_TRUE(watched) << watched.status().message();
    if (watched)
      for (const WatchedJob& w : *watched) ids.push_back(w.jobid);
    return ids;
  }

  testing::TempDir dir_{"job-watcher"};
  std::unique_ptr<Store> store_ = Reopen();
};

// A store whose writes fail, as a database that went away does.
class FailingList : public WatchedJobs {
 public:
  Status Watch(const std::string&, const WatchedJob&) override { return Refused(); }
  Result<std::vector<WatchedJob>> Watched(const std::string&) override { return Refused(); }
  Status Forget(const std::string&, const std::vector<std::string>&) override { return Refused(); }

 private:
  static Status Refused() { return Status::Unavailable("database: connection lost"); }
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

TEST_F(JobWatcherTest, AWatchedJobIsKeptInTheStoreAndSurvivesARestart) {
  JobWatcher watcher("perlmutter", store_->watched());
  ASSERT_TRUE(watcher.Watch("12", "alice", kNow).ok());
  ASSERT_TRUE(watcher.Watch("13", "bob", kNow + 1, "resv").ok());
  EXPECT_EQ(watcher.size(), 2u);
  store_.reset();

  auto after = Reopen();
  ASSERT_TRUE(after);
  auto watched = after->watched().Watched("perlmutter");
  ASSERT_TRUE(watched) << watched.status().message();
  ASSERT_EQ(watched->size(), 2u);
  EXPECT_EQ((*watched)[1].user, "bob");
  EXPECT_EQ((*watched)[1].submitted, kNow + 1);
  EXPECT_EQ((*watched)[1].reservation, "resv");
  EXPECT_TRUE(after->watched().Watched("other-cluster")->empty());  // per cluster
  JobWatcher restarted("perlmutter", after->watched());
  ASSERT_TRUE(restarted.Forget({"12"}).ok());
  EXPECT_EQ(WatchedIds(*after), std::vector<std::string>{"13"});
}

TEST_F(JobWatcherTest, EveryNodeOnTheStoreSeesOneList) {
  auto other_node = Reopen();
  ASSERT_TRUE(other_node);
  JobWatcher a("perlmutter", store_->watched());
  JobWatcher b("perlmutter", other_node->watched());
  ASSERT_TRUE(a.Watch("40", "alice", kNow).ok());
  // The job ended; node b, which did not submit it, reports it.
  const Rows accounting = Accounting({SacctRow("40", "COMPLETED")});
  auto look = b.Check(From({}, accounting), kNow + 10);
  ASSERT_TRUE(look) << look.status().message();
  ASSERT_EQ(look->ended.size(), 1u);
  EXPECT_EQ(look->ended[0].user, "alice");
  ASSERT_TRUE(b.Forget(look->done).ok());
  auto again = a.Check(From({}, accounting), kNow + 11);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->ended.empty());  // reported once, by b
}

TEST_F(JobWatcherTest, AFailedWriteIsReturnedAndCounted) {
  FailingList failing;
  JobWatcher watcher("perlmutter", failing);
  const Status s = watcher.Watch("12", "alice", kNow);
  EXPECT_EQ(s.message(), "database: connection lost");
  EXPECT_EQ(watcher.save_failures(), 1u);
  EXPECT_FALSE(watcher.Forget({"12"}).ok());
  EXPECT_EQ(watcher.save_failures(), 2u);
  auto look = watcher.Check(From({}, {}), kNow);
  ASSERT_FALSE(look);  // a list that cannot be read is an error, not "nothing to watch"
  EXPECT_EQ(look.status().message(), "database: connection lost");
}

TEST_F(JobWatcherTest, AnEarlierVersionsFileIsMovedIntoTheStore) {
  const std::string file = dir_ / "slurm-watched.json";
  std::ofstream(file) << R"({"12":{"user":"alice","submitted":1800000000,"reservation":""},)"
                         R"("13":{"user":"bob","submitted":1800000001,"reservation":"r1"}})";
  JobWatcher watcher("perlmutter", store_->watched());
  ASSERT_TRUE(watcher.ImportFile(dir_.path()).ok());
  EXPECT_EQ(WatchedIds(*store_), (std::vector<std::string>{"12", "13"}));
  EXPECT_FALSE(fs::exists(file));
  EXPECT_TRUE(fs::exists(file + ".imported"));
  EXPECT_TRUE(watcher.ImportFile(dir_.path()).ok());  // nothing left to move
  EXPECT_TRUE(watcher.ImportFile(dir_ / "no-such-folder").ok());
}

TEST_F(JobWatcherTest, ADamagedFileIsAnErrorNotSilence) {
  const std::string file = dir_ / "slurm-watched.json";
  JobWatcher watcher("perlmutter", store_->watched());
  std::ofstream(file) << "{not json";
  EXPECT_FALSE(watcher.ImportFile(dir_.path()).ok());
  std::ofstream(file) << R"({"12":{"user":"alice","submitted":5},"13":{"user":7}})";
  const Status s = watcher.ImportFile(dir_.path());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("1 damaged record"), std::string::npos) << s.message();
  EXPECT_EQ(WatchedIds(*store_), std::vector<std::string>{"12"});  // the good record is moved
  EXPECT_TRUE(fs::exists(file));  // and the file stays for the operator
}

TEST_F(JobWatcherTest, EndedJobsAreReportedAndForgottenOnlyWhenAsked) {
  JobWatcher watcher("perlmutter", store_->watched());
  ASSERT_TRUE(watcher.Watch("12", "alice", kNow).ok());
  ASSERT_TRUE(watcher.Watch("13", "alice", kNow).ok());
  ASSERT_TRUE(watcher.Watch("14", "bob", kNow).ok());
  // 12 still runs (queue); 13 ended (accounting); 14 is an array with one task still running.
  const Rows queue = Accounting({JobRow{{"jobid", "12"}, {"state", "RUNNING"}}});
  const Rows accounting = Accounting({SacctRow("12", "RUNNING"), SacctRow("13", "CANCELLED by 5"),
                                      SacctRow("14_0", "COMPLETED"), SacctRow("14_1", "RUNNING")});
  JobWatcher::Look look = watcher.Check(From(queue, accounting), kNow + 10).value();
  ASSERT_EQ(look.ended.size(), 1u);
  EXPECT_EQ(look.ended[0].jobid, "13");
  EXPECT_EQ(look.ended[0].state, "CANCELLED");
  EXPECT_EQ(look.ended[0].user, "alice");
  EXPECT_EQ(look.ended[0].system, "perlmutter");
  EXPECT_EQ(look.ended[0].nodes, 2);
  EXPECT_EQ(look.done, (std::vector<std::string>{"13"}));
  EXPECT_EQ(WatchedIds(*store_).size(), 3u);  // Check forgets nothing
  ASSERT_TRUE(watcher.Forget(look.done).ok());
  EXPECT_EQ(WatchedIds(*store_), (std::vector<std::string>{"12", "14"}));

  // The array ends: each task, then the summary under the array's id.
  const Rows later = Accounting(
      {SacctRow("12", "RUNNING"), SacctRow("14_0", "COMPLETED"), SacctRow("14_1", "FAILED")});
  look = watcher.Check(From(queue, later), kNow + 20).value();
  ASSERT_EQ(look.ended.size(), 3u);
  EXPECT_EQ(look.ended[2].jobid, "14");
  EXPECT_TRUE(look.ended[2].array_summary);
  EXPECT_EQ(look.ended[2].state, "FAILED");
}

std::vector<std::string> Changes(const JobWatcher::Look& look) {
  std::vector<std::string> out;
  for (const JobStateChange& c : look.changed)
    out.push_back(c.system + " " + c.jobid + " " + c.user + " " + c.state);
  return out;
}

TEST_F(JobWatcherTest, StatesBeforeTheEndAreReportedOnceAndKeptAcrossARestart) {
  {
    JobWatcher watcher("perlmutter", store_->watched());
    ASSERT_TRUE(watcher.Watch("40", "alice", kNow).ok());
    ASSERT_TRUE(watcher.Watch("41", "bob", kNow).ok());
    // 40 pends; 41 is an array: task 0 runs, 1-3 pend as one range. Another user's 42 is no
    // watched job's.
    const Rows queue = Accounting({JobRow{{"jobid", "40"}, {"state", "PENDING"}},
                                   JobRow{{"jobid", "41_0"}, {"state", "RUNNING"}},
                                   JobRow{{"jobid", "41_[1-3]"}, {"state", "PENDING"}},
                                   JobRow{{"jobid", "42"}, {"state", "RUNNING"}}});
    JobWatcher::Look look = watcher.Check(From(queue, {}), kNow + 1).value();
    EXPECT_EQ(Changes(look), (std::vector<std::string>{"perlmutter 40 alice PENDING",
                                                       "perlmutter 41_0 bob RUNNING",
                                                       "perlmutter 41_[1-3] bob PENDING"}));
    EXPECT_TRUE(look.ended.empty());
    // Not saved: the same look again reports the same (a crash before saving repeats them).
    EXPECT_EQ(Changes(watcher.Check(From(queue, {}), kNow + 2).value()), Changes(look));
    ASSERT_TRUE(watcher.SaveStates(look.restated).ok());
    look = watcher.Check(From(queue, {}), kNow + 3).value();
    EXPECT_TRUE(look.changed.empty());
    EXPECT_TRUE(look.restated.empty());
  }
  auto after = Reopen();  // the states were kept in the store
  ASSERT_TRUE(after);
  JobWatcher watcher("perlmutter", after->watched());
  const Rows queue = Accounting({JobRow{{"jobid", "40"}, {"state", "RUNNING"}},
                                 JobRow{{"jobid", "41_0"}, {"state", "RUNNING"}},
                                 JobRow{{"jobid", "41_1"}, {"state", "RUNNING"}},
                                 JobRow{{"jobid", "41_[2-3]"}, {"state", "PENDING"}}});
  JobWatcher::Look look = watcher.Check(From(queue, {}), kNow + 4).value();
  EXPECT_EQ(Changes(look),
            (std::vector<std::string>{"perlmutter 40 alice RUNNING", "perlmutter 41_1 bob RUNNING",
                                      "perlmutter 41_[2-3] bob PENDING"}));
  ASSERT_EQ(look.restated.size(), 2u);
  EXPECT_EQ(look.restated[1].states, "41_0=RUNNING;41_1=RUNNING;41_[2-3]=PENDING");
}

TEST_F(JobWatcherTest, AJobKeepsItsReservationWhenSacctHasForgottenIt) {
  {
    JobWatcher watcher("perlmutter", store_->watched());
    ASSERT_TRUE(watcher.Watch("30", "alice", kNow, "alice_0a1b2c3d").ok());
    ASSERT_TRUE(watcher.Watch("31", "alice", kNow).ok());
  }
  auto after = Reopen();  // after a restart
  ASSERT_TRUE(after);
  JobWatcher watcher("perlmutter", after->watched());
  JobRow in_named = SacctRow("31", "COMPLETED");
  in_named["reservation"] = "maint";  // sacct's own word wins
  const Rows accounting = Accounting({SacctRow("30", "COMPLETED"), in_named});
  JobWatcher::Look look = watcher.Check(From({}, accounting), kNow + 10).value();
  ASSERT_EQ(look.ended.size(), 2u);
  EXPECT_EQ(look.ended[0].reservation, "alice_0a1b2c3d");
  EXPECT_EQ(look.ended[1].reservation, "maint");
}

TEST_F(JobWatcherTest, JobsOutsideTheWindowAreLookedUpByIdAndDroppedAfterADay) {
  JobWatcher watcher("perlmutter", store_->watched());
  ASSERT_TRUE(watcher.Watch("20", "alice", kNow).ok());
  std::vector<std::string> asked;
  // Just submitted and not in accounting yet: not looked up (a sacct per new job would be waste).
  auto look = watcher.Check(From({}, {}, &asked), kNow + 5).value();
  EXPECT_TRUE(asked.empty());
  EXPECT_TRUE(look.done.empty());
  look = watcher.Check(From({}, {}, &asked), kNow + 61).value();
  EXPECT_EQ(asked, (std::vector<std::string>{"20"}));
  EXPECT_TRUE(look.done.empty());
  look = watcher.Check(From({}, {}, &asked), kNow + 86401).value();
  EXPECT_TRUE(look.ended.empty());
  EXPECT_EQ(look.done, (std::vector<std::string>{"20"}));
}

}  // namespace
}  // namespace sfapid::slurm
