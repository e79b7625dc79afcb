// The local scheduler's parts with logic of their own: the node pool, id resolution, the submit
// limit, why a job waits, purging and queries through the shared kwargs filter.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "backends/scheduler/local/job_ids.h"
#include "backends/scheduler/local/job_purge.h"
#include "backends/scheduler/local/job_query.h"
#include "backends/scheduler/local/launch_spec.h"
#include "backends/scheduler/local/node_pool.h"
#include "backends/scheduler/local/pending_reason.h"
#include "backends/scheduler/local/submit_limit.h"
#include "backends/scheduler/row_filter.h"

namespace sfapid::local {
namespace {

constexpr int64_t kNow = 1'800'000'000;

LocalJob Job(int64_t id, JobState state = JobState::kPending) {
  LocalJob j;
  j.id = id;
  j.state = state;
  j.user = "api-alice";
  j.account_unix = "alice";
  j.uid = 1001;
  j.name = "job" + std::to_string(id);
  j.partition = "regular";
  j.account = "m1";
  j.submit_time = kNow - 100;
  return j;
}

// Array `id` with tasks 0..count-1 at ids id, id+1, ...
void AddArray(JobMap& jobs, int64_t id, int count, JobState state = JobState::kPending) {
  for (int i = 0; i < count; ++i) {
    LocalJob t = Job(id + i, state);
    t.array_job_id = id;
    t.array_task_id = i;
    jobs[t.id] = t;
  }
}

std::vector<int64_t> Ids(const std::vector<const LocalJob*>& jobs) {
  std::vector<int64_t> out;
  for (const LocalJob* j : jobs) out.push_back(j->id);
  return out;
}

TEST(NodePool, NamesNodesAsSlurmSitesDo) {
  const NodePool pool(12, 4, 1000);
  ASSERT_EQ(pool.size(), 12u);
  EXPECT_EQ(pool.names().front(), "nid001");
  EXPECT_EQ(pool.names().back(), "nid012");
}

TEST(NodePool, FirstFitAndReleaseGiveRoomBack) {
  NodePool pool(3, 4, 1000);
  auto two = pool.Find(2, 3, 500);
  ASSERT_TRUE(two);
  EXPECT_EQ(*two, (std::vector<int>{0, 1}));
  pool.Hold(*two, 3, 500);
  EXPECT_EQ(pool.free_cpus(0), 1);
  EXPECT_EQ(pool.free_mem_mb(1), 500);
  // Only node 2 has 3 CPUs left.
  EXPECT_FALSE(pool.Find(2, 3, 100));
  EXPECT_EQ(pool.Find(1, 3, 100), (std::vector<int>{2}));
  // Memory counts as well as CPUs.
  EXPECT_EQ(pool.Find(3, 1, 500), (std::vector<int>{0, 1, 2}));
  EXPECT_FALSE(pool.Find(3, 1, 501));
  pool.Release(*two, 3, 500);
  EXPECT_EQ(pool.Find(3, 4, 1000), (std::vector<int>{0, 1, 2}));
}

TEST(NodePool, NodesOfAnOlderLargerClusterAreIgnored) {
  NodePool pool(1, 2, 100);
  pool.Hold({0, 5, -1}, 1, 10);
  EXPECT_EQ(pool.free_cpus(0), 1);
  pool.Release({0, 5}, 1, 10);
  EXPECT_EQ(pool.free_cpus(0), 2);
}

TEST(JobIds, AJobAnArrayATaskOrATasksOwnId) {
  JobMap jobs;
  jobs[5] = Job(5);
  AddArray(jobs, 10, 3);  // 10_0 .. 10_2 at ids 10..12
  jobs[13] = Job(13);
  EXPECT_EQ(Ids(ResolveJobId(std::as_const(jobs), "5")), (std::vector<int64_t>{5}));
  EXPECT_EQ(Ids(ResolveJobId(std::as_const(jobs), "10")), (std::vector<int64_t>{10, 11, 12}));
  EXPECT_EQ(Ids(ResolveJobId(std::as_const(jobs), "10_2")), (std::vector<int64_t>{12}));
  EXPECT_EQ(Ids(ResolveJobId(std::as_const(jobs), "11")), (std::vector<int64_t>{11}));
  EXPECT_TRUE(ResolveJobId(std::as_const(jobs), "10_7").empty());
  EXPECT_TRUE(ResolveJobId(std::as_const(jobs), "5_0").empty());
  EXPECT_TRUE(ResolveJobId(std::as_const(jobs), "99").empty());
  EXPECT_TRUE(ResolveJobId(std::as_const(jobs), "").empty());
  EXPECT_TRUE(ResolveJobId(std::as_const(jobs), "--user=x").empty());
  EXPECT_TRUE(ResolveJobId(std::as_const(jobs), "1234567890123456789").empty());
  std::vector<LocalJob*> mutable_jobs = ResolveJobId(jobs, "13");
  ASSERT_EQ(mutable_jobs.size(), 1u);
  mutable_jobs[0]->reason = "changed";
  EXPECT_EQ(jobs[13].reason, "changed");
}

TEST(SubmitLimit, CountsTheUsersLiveJobsEachTaskOnce) {
  JobMap jobs;
  jobs[1] = Job(1, JobState::kRunning);
  AddArray(jobs, 2, 2);
  jobs[4] = Job(4, JobState::kCompleted);
  jobs[5] = Job(5);
  jobs[5].uid = 2002;  // someone else's
  const std::set<int64_t> active{1, 2, 3, 4, 5};
  EXPECT_TRUE(CheckSubmitLimit(0, jobs, active, 1001, 100).ok());
  EXPECT_TRUE(CheckSubmitLimit(4, jobs, active, 1001, 1).ok());
  const Status refused = CheckSubmitLimit(4, jobs, active, 1001, 2);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("AssocMaxSubmitJobLimit"), std::string::npos);
  EXPECT_EQ(refused.message().rfind("sbatch: error: ", 0), 0u);
}

TEST(PendingReason, HeldThenBeginTimeThenDependenciesThenThrottle) {
  JobMap jobs;
  jobs[1] = Job(1, JobState::kRunning);
  jobs[1].start_time = kNow - 5;
  jobs[2] = Job(2, JobState::kFailed);
  jobs[3] = Job(3, JobState::kCompleted);
  const std::map<int64_t, int> none;
  LocalJob j = Job(9);
  EXPECT_EQ(PendingReason(j, jobs, none, kNow), "");
  j.held = true;
  EXPECT_EQ(PendingReason(j, jobs, none, kNow), "JobHeldUser");
  j.held = false;
  j.begin_time = kNow + 1;
  EXPECT_EQ(PendingReason(j, jobs, none, kNow), "BeginTime");
  j.begin_time = 0;
  j.dependencies = {{"afterok", "1"}};
  EXPECT_EQ(PendingReason(j, jobs, none, kNow), "Dependency");
  j.dependencies = {{"after", "1"}};  // started: satisfied
  EXPECT_EQ(PendingReason(j, jobs, none, kNow), "");
  j.dependencies = {{"afterok", "2"}};
  EXPECT_EQ(PendingReason(j, jobs, none, kNow), "DependencyNeverSatisfied");
  j.dependencies = {{"afternotok", "3"}};
  EXPECT_EQ(PendingReason(j, jobs, none, kNow), "DependencyNeverSatisfied");
  j.dependencies = {{"afterany", "2"}, {"afterok", "3"}};
  EXPECT_EQ(PendingReason(j, jobs, none, kNow), "");
  j.dependencies.clear();
  j.array_job_id = 20;
  j.array_max_running = 2;
  EXPECT_EQ(PendingReason(j, jobs, {{20, 1}}, kNow), "");
  EXPECT_EQ(PendingReason(j, jobs, {{20, 2}}, kNow), "JobArrayTaskLimit");
}

TEST(JobPurge, ScheduleRunsEveryTenthOfTheKeepingTimeAtMostTenMinutes) {
  PurgeSchedule never(0);
  EXPECT_FALSE(never.Due(kNow));
  PurgeSchedule daily(1);  // every 600 s (a tenth would be 8640 s)
  EXPECT_TRUE(daily.Due(kNow));
  EXPECT_FALSE(daily.Due(kNow + 599));
  EXPECT_TRUE(daily.Due(kNow + 600));
  daily.RunAgainSoon();
  EXPECT_TRUE(daily.Due(kNow + 601));
  EXPECT_EQ(daily.Cutoff(kNow), kNow - 86400);
}

TEST(JobPurge, OldReportedJobsGoWholeArraysOnlyAndDependedOnOnesStay) {
  const int64_t cutoff = kNow - 1000;
  const auto ended = [&](LocalJob j, int64_t end) {
    j.end_time = end;
    j.reported = true;
    return j;
  };
  JobMap jobs;
  jobs[1] = ended(Job(1, JobState::kCompleted), cutoff - 1);  // goes
  jobs[2] = ended(Job(2, JobState::kCompleted), cutoff + 1);  // too recent
  jobs[3] = ended(Job(3, JobState::kFailed), cutoff - 1);     // a pending job depends on it
  jobs[4] = Job(4);
  jobs[4].dependencies = {{"afterok", "3"}};
  AddArray(jobs, 5, 2, JobState::kCompleted);  // 5_1 not reported yet: the array stays
  jobs[5] = ended(jobs[5], cutoff - 1);
  jobs[6].end_time = cutoff - 1;
  AddArray(jobs, 7, 2, JobState::kCompleted);  // both old and reported: goes
  jobs[7] = ended(jobs[7], cutoff - 5);
  jobs[8] = ended(jobs[8], cutoff - 5);
  jobs[9] = ended(Job(9, JobState::kCompleted), cutoff - 1);
  jobs[9].supervisor = 1234;  // its processes may still be stopping
  const std::set<int64_t> active{4};
  EXPECT_EQ(PurgeableJobs(jobs, active, cutoff, 100), (std::vector<int64_t>{1, 7, 8}));
  // The size limit stops a pass after the group that reaches it.
  EXPECT_EQ(PurgeableJobs(jobs, active, cutoff, 1), (std::vector<int64_t>{1}));
}

// The local scheduler reads its jobs' fields for the shared filter instead of rendering rows:
// every filter must select what filtering the rendered rows selects.
TEST(JobQuery, ReadingJobFieldsMatchesFilteringTheRenderedRows) {
  JobMap jobs;
  jobs[1] = Job(1, JobState::kRunning);
  jobs[2] = Job(2);
  jobs[2].account_unix = "bob";
  jobs[2].uid = 1002;
  jobs[2].user = "api-bob";
  jobs[2].partition = "debug";
  jobs[2].account = "m2";
  AddArray(jobs, 3, 3);
  jobs[4].state = JobState::kRunning;
  jobs[6] = Job(6, JobState::kCancelled);
  jobs[6].cancelled_by = 1001;
  jobs[6].end_time = kNow - 1;
  const ClusterView view{"perlmutter", {"nid001"}, kNow};
  const std::vector<std::vector<JobFilter>> cases = {
      {},
      {{"user", "alice"}},
      {{"user", "1002"}},
      {{"user", "bob,1001"}},
      {{"user", "api-alice"}},  // the API name is not the Unix user: as squeue, no match
      {{"jobid", "3"}},
      {{"jobid", "3_1,2"}},
      {{"jobid", "4"}},
      {{"partition", "debug"}},
      {{"state", "r"}},
      {{"state", "CA,PD"}},
      {{"name", "job2"}},
      {{"account", "m1"}, {"user", "alice"}},
      {{"st", "PD"}},
      {{"reason", "None"}},
      {{"jobname", "job6"}},
  };
  for (const bool sacct : {false, true}) {
    for (const auto& filters : cases) {
      JobQuery q;
      q.sacct = sacct;
      q.filters = filters;
      std::vector<std::string> expected;
      const RowFilter filter(filters, sacct);
      for (const auto& [id, job] : jobs) {
        const JobRow row = sacct ? SacctRow(job, view) : SqueueRow(job, view);
        const bool by_raw_id = filter.has_job_ids() && !sacct;  // squeue rows lack jobidraw
        bool matches = filter.Matches(row);
        if (by_raw_id && !matches)
          matches = filter.Matches([&](std::string_view f) {
            return f == "jobidraw" ? std::to_string(job.id) : RowField(row, f);
          });
        if (matches) expected.push_back(boost::json::serialize(row));
      }
      std::vector<std::string> got;
      for (const SerializedRow& r : QueryJobs(jobs, q, view, 300)) got.push_back(*r);
      std::string names;
      for (const auto& f : filters) names += f.name + "=" + f.value + " ";
      EXPECT_EQ(got, expected) << (sacct ? "sacct " : "squeue ") << names;
    }
  }
  JobQuery alice;
  alice.filters = {{"user", "alice"}};
  EXPECT_EQ(QueryJobs(jobs, alice, view, 300).size(), 5u);
  JobQuery api_name;
  api_name.filters = {{"user", "api-alice"}};
  EXPECT_TRUE(QueryJobs(jobs, api_name, view, 300).empty());
}

TEST(JobQuery, ViewsIndexAndLimit) {
  JobMap jobs;
  for (int64_t id = 1; id <= 5; ++id) jobs[id] = Job(id);
  jobs[1].state = JobState::kCompleted;
  jobs[1].end_time = kNow - 301;  // past MinJobAge: gone from the queue, not from accounting
  jobs[2].held = true;            // held since submission: not in accounting yet
  const ClusterView view{"perlmutter", {"nid001"}, kNow};
  const auto ids = [&](JobQuery q) {
    std::vector<std::string> out;
    for (const SerializedRow& r : QueryJobs(jobs, q, view, 300))
      out.emplace_back(boost::json::parse(*r).as_object().at("jobid").as_string());
    return out;
  };
  JobQuery queue;
  EXPECT_EQ(ids(queue), (std::vector<std::string>{"2", "3", "4", "5"}));
  JobQuery sacct;
  sacct.sacct = true;
  EXPECT_EQ(ids(sacct), (std::vector<std::string>{"1", "3", "4", "5"}));
  queue.index = 1;
  queue.limit = 2;
  EXPECT_EQ(ids(queue), (std::vector<std::string>{"3", "4"}));
}

}  // namespace
}  // namespace sfapid::local

namespace sfapid::local {
namespace {

TEST(LaunchSpec, RoundTripsAndADamagedFileNamesTheField) {
  LaunchSpec spec;
  spec.account = "alice";
  spec.uid = 1001;
  spec.gid = 1001;
  spec.work_dir = "/home/alice";
  spec.stdout_path = spec.stderr_path = "/home/alice/slurm-7.out";
  spec.append = true;
  spec.script = "#!/bin/bash\necho hi\n";
  spec.command = "/home/alice/run.sh";
  spec.args = {"a", "b c"};
  spec.env = {"SLURM_JOB_ID=7"};
  spec.time_limit = 600;
  spec.kill_wait = 5;
  spec.jobid = "7";
  spec.node = "nid001";
  boost::json::object o = ToJson(spec);
  auto back = LaunchSpecFromJson(o);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->account, "alice");
  EXPECT_EQ(back->args, spec.args);
  EXPECT_EQ(back->env, spec.env);
  EXPECT_TRUE(back->append);
  EXPECT_EQ(back->time_limit, 600);
  EXPECT_EQ(back->node, "nid001");

  o.erase("uid");
  EXPECT_EQ(LaunchSpecFromJson(o).status().message(), "field 'uid' is missing");
  o = ToJson(spec);
  o["args"] = boost::json::array{"a", 3};
  EXPECT_EQ(LaunchSpecFromJson(o).status().message(),
            "field 'args' has an item that is not a string");
  o = ToJson(spec);
  o["append"] = "yes";
  EXPECT_EQ(LaunchSpecFromJson(o).status().code(), Code::kInvalidArgument);
}

TEST(LaunchSpec, StdinIsOptionalForAnOlderFile) {
  LaunchSpec spec;
  spec.stdin_path = "/home/alice/in.txt";
  boost::json::object o = ToJson(spec);
  EXPECT_EQ(LaunchSpecFromJson(o)->stdin_path, "/home/alice/in.txt");
  o.erase("stdin");
  auto back = LaunchSpecFromJson(o);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->stdin_path, "");  // /dev/null
  o["stdin"] = 3;
  EXPECT_EQ(LaunchSpecFromJson(o).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace sfapid::local
