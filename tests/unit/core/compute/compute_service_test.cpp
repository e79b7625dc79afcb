// ComputeService through a fake RunAs and a fake Scheduler, with the real task engine, callback
// and account services over SQLite: how a submission's script is read or written as the user and
// handed to the scheduler, how the scheduler's answers become the task's result, and the refusals
// made before any task (unknown or non-compute system, unknown user, a job id that is an option).
#include "core/compute/compute_service.h"

#include <gtest/gtest.h>

#include <mutex>

#include "core/accounts/group_directory.h"
#include "core/accounts/group_service.h"
#include "core/compute/submission_takeover.h"
#include "support/fake_run_as.h"
#include "support/temp_dir.h"
#include "support/test_store.h"
#include "support/test_systems.h"
#include "support/wait_for_task.h"

namespace sfapid {
namespace {

namespace json = boost::json;
using testing::ErrorReply;
using testing::OkReply;
using testing::ResultOf;
using testing::WaitForTask;

// Remembers what it was asked and answers what the test set.
class FakeScheduler : public Scheduler {
 public:
  std::string backend_name() const override { return "fake"; }
  Status Health() override { return Status::Ok(); }
  void SetJobEndedHandler(JobEndedHandler) override {}
  void Start() override {}
  void Stop() override {}
  Result<std::string> Submit(const JobScript& script) override {
    std::lock_guard lock(mu);
    submitted.push_back(script);
    return submit_answer;
  }
  Result<std::vector<SerializedRow>> Query(const JobQuery& query) override {
    std::lock_guard lock(mu);
    queries.push_back(query);
    return rows;
  }
  Status Cancel(const UnixIdentity& who, const std::string& jobid) override {
    std::lock_guard lock(mu);
    cancelled.push_back(who.account + " " + jobid);
    return Status::Ok();
  }
  Status UpdateJob(const UnixIdentity& who, const std::string& jobid,
                   const JobChanges& changes) override {
    std::lock_guard lock(mu);
    updated.push_back({who.account + " " + jobid, changes});
    return update_answer;
  }
  Result<std::string> DefaultAccount(const UnixIdentity&) override {
    return std::string("default");
  }
  Result<std::vector<std::string>> FindSubmitted(const JobScript& script, int64_t since,
                                                 const std::string& reservation) override {
    std::lock_guard lock(mu);
    looked_for.push_back(script.who.account + " " + script.path + " " + std::to_string(since) +
                         " " + reservation);
    return found;
  }

  std::mutex mu;
  Result<std::string> submit_answer = std::string("42");
  std::vector<SerializedRow> rows;
  std::vector<JobScript> submitted;
  std::vector<JobQuery> queries;
  std::vector<std::string> cancelled;
  std::vector<std::pair<std::string, JobChanges>> updated;  // "account jobid", changes
  Status update_answer;
  Result<std::vector<std::string>> found = std::vector<std::string>{};
  std::vector<std::string> looked_for;
};

class ComputeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    runas_.AddUser("alice", "alice", "/global/homes/a/alice");
    runas_.OnCall([](const json::object&, std::string_view) {
      return Result<WorkerReply>(OkReply({}, "#!/bin/bash\nsrun hostname\n"));
    });
    tasks_.Start();
  }
  void TearDown() override { tasks_.Stop(); }

  // The submission's task result, once it ended.
  json::object Submitted(const SubmitRequest& r) {
    auto id = compute_.Submit(r);
    EXPECT_TRUE(id) << id.status().message();
    if (!id) return {};
    const TaskRecord task = WaitForTask(tasks_, *id, r.user);
    EXPECT_EQ(task.kind, "submit_job");
    return ResultOf(task);
  }

  std::vector<SystemConfig> systems_ = testing::TestSystems();
  Config config_;
  testing::TempDir dir_{"compute"};
  testing::TestStore store_;
  testing::FakeRunAs runas_;
  FakeScheduler scheduler_;
  TaskEngine tasks_{store_->tasks(), config_.tasks, "test-node"};
  CallbackService callbacks_{config_.callbacks, store_->compute(), dir_ / "keys", dir_ / "outbox"};
  UserDirectory users_{config_.runas};
  UnixGroupDirectory groups_directory_;
  GroupService groups_{config_.accounts, store_->accounts(), users_, groups_directory_, false};
  AccountService accounts_{config_.accounts, store_->accounts(), users_, groups_};
  ComputeService compute_{systems_,   runas_,    tasks_,         {{"perlmutter", &scheduler_}},
                          callbacks_, accounts_, store_->auth(), store_->events()};
};

TEST_F(ComputeServiceTest, AnInlineScriptIsWrittenAsTheUserThenSubmitted) {
  const json::object result =
      Submitted({.user = "alice", .system = "perlmutter", .job = "#!/bin/bash\necho hi\n"});
  EXPECT_EQ(result, (json::object{{"status", "ok"}, {"jobid", "42"}, {"error", nullptr}}));
  ASSERT_EQ(runas_.calls().size(), 1u);
  const auto call = runas_.calls()[0];
  EXPECT_EQ(call.request.at("op"), "write_script");
  const std::string path(call.request.at("path").as_string());
  EXPECT_EQ(path.rfind("/global/homes/a/alice/.sfapid/jobs/sfapi-", 0), 0u) << path;
  EXPECT_EQ(call.request.at("roots"), (json::array{"/global/homes", "/pscratch"}));
  EXPECT_EQ(call.input, "#!/bin/bash\necho hi\n");
  ASSERT_EQ(scheduler_.submitted.size(), 1u);
  const JobScript& script = scheduler_.submitted[0];
  EXPECT_EQ(script.path, path);
  EXPECT_EQ(script.text, "#!/bin/bash\necho hi\n");
  EXPECT_EQ(script.submit_dir, "/global/homes/a/alice");
  EXPECT_EQ(script.who.account, "alice");
}

TEST_F(ComputeServiceTest, AScriptPathIsReadAsTheUserFromTheirHome) {
  const json::object result = Submitted({.user = "alice",
                                         .system = "perlmutter",
                                         .job = "jobs/run.sh",
                                         .is_path = true,
                                         .args = {"a", "b"}});
  EXPECT_EQ(result.at("status"), "ok");
  const auto call = runas_.calls().at(0);
  EXPECT_EQ(call.request.at("op"), "read");
  EXPECT_EQ(call.request.at("path"), "/global/homes/a/alice/jobs/run.sh");
  const JobScript& script = scheduler_.submitted.at(0);
  EXPECT_EQ(script.text, "#!/bin/bash\nsrun hostname\n");
  EXPECT_EQ(script.submit_dir, "/global/homes/a/alice/jobs");
  EXPECT_EQ(script.args, (std::vector<std::string>{"a", "b"}));
}

TEST_F(ComputeServiceTest, AScriptTheUserCannotReadIsSbatchsError) {
  runas_.OnCall([](const json::object&, std::string_view) {
    return Result<WorkerReply>(ErrorReply("permission_denied", "Permission denied"));
  });
  const json::object result =
      Submitted({.user = "alice", .system = "perlmutter", .job = "/etc/shadow", .is_path = true});
  EXPECT_EQ(result, (json::object{{"status", "error"},
                                  {"jobid", nullptr},
                                  {"error", "sbatch: error: Unable to open file /etc/shadow"}}));
  EXPECT_TRUE(scheduler_.submitted.empty());
}

TEST_F(ComputeServiceTest, TheSchedulersRefusalIsPassedOnAndItsAbsenceExplained) {
  scheduler_.submit_answer = Status::InvalidArgument("sbatch: error: invalid partition");
  EXPECT_EQ(Submitted({.user = "alice", .system = "perlmutter", .job = "x"}).at("error"),
            "sbatch: error: invalid partition");
  scheduler_.submit_answer = Status::Unavailable("slurmctld is down");
  EXPECT_EQ(Submitted({.user = "alice", .system = "perlmutter", .job = "x"}).at("error"),
            "sbatch: error: Batch job submission failed: slurmctld is down");
}

TEST_F(ComputeServiceTest, ASubmissionWhoseSbatchTimedOutIsFoundOutInTheScheduler) {
  // slurmctld hung: sbatch gave up, but slurmctld made the job from what it was sent.
  scheduler_.submit_answer = Status::DeadlineExceeded(
      "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation "
      "(timed out)");
  scheduler_.found = std::vector<std::string>{"77"};
  const json::object made = Submitted({.user = "alice", .system = "perlmutter", .job = "x"});
  EXPECT_EQ(made, (json::object{{"status", "ok"}, {"jobid", "77"}, {"error", nullptr}}));
  ASSERT_EQ(scheduler_.looked_for.size(), 1u);
  EXPECT_EQ(scheduler_.submitted.size(), 1u);  // never submitted again
  // Several of the user's jobs from that script since: said so, not guessed.
  scheduler_.found = std::vector<std::string>{"78", "79"};
  const std::string why = Submitted({.user = "alice", .system = "perlmutter", .job = "x"})
                              .at("error")
                              .as_string()
                              .c_str();
  EXPECT_NE(why.find("sbatch: error: Batch job submission failed: Socket timed out on send/recv "
                     "operation (timed out); jobs 78, 79 of yours from "),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("one of them may be this submission: check them before submitting again"),
            std::string::npos)
      << why;
}

TEST_F(ComputeServiceTest, OnlyComputeSystemsTakeJobsAndOnlyKnownUsers) {
  auto unknown = compute_.Submit({.user = "alice", .system = "cori", .job = "x"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_EQ(unknown.status().message(), "Unknown machine 'cori'. Compute systems: perlmutter");
  auto storage = compute_.Submit({.user = "alice", .system = "dtns", .job = "x"});
  ASSERT_FALSE(storage);
  EXPECT_EQ(storage.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(storage.status().message(),
            "'dtns' is a filesystem resource, not a compute system. Compute systems: perlmutter");
  auto stranger = compute_.Submit({.user = "mallory", .system = "perlmutter", .job = "x"});
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(runas_.calls().empty());
}

TEST_F(ComputeServiceTest, ABadCallbackIsRefusedFirstNamingItsField) {
  SubmitRequest r{.user = "alice", .system = "cori", .job = "x"};
  r.callback.url = "ftp://example.org/hook";
  auto refused = compute_.Submit(r);
  ASSERT_FALSE(refused);
  // Before the unknown machine: the callback is the submitter's mistake wherever the job goes.
  EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(refused.status().field(), "callbackUrl");
  EXPECT_EQ(refused.status().message(), "callbackUrl must start with http:// or https://");
  r.callback = {"", "", -1.0};
  EXPECT_EQ(compute_.Submit(r).status().field(), "callbackTimeout");
  EXPECT_TRUE(runas_.calls().empty());
}

TEST_F(ComputeServiceTest, CancelPassesOnlyAJobIdToTheScheduler) {
  auto bad = compute_.Cancel("alice", "perlmutter", "--user=bob");
  ASSERT_TRUE(bad) << bad.status().message();
  EXPECT_EQ(ResultOf(WaitForTask(tasks_, *bad, "alice")),
            (json::object{{"status", "error"},
                          {"jobid", "--user=bob"},
                          {"error", "scancel: error: Invalid job id --user=bob"}}));
  auto good = compute_.Cancel("alice", "perlmutter", "123_4");
  ASSERT_TRUE(good) << good.status().message();
  EXPECT_EQ(ResultOf(WaitForTask(tasks_, *good, "alice")).at("status"), "ok");
  EXPECT_EQ(scheduler_.cancelled, std::vector<std::string>{"alice 123_4"});
}

TEST_F(ComputeServiceTest, AQueryIsTheRequestersAndOneMissingJobIsAnError) {
  JobQuery query;
  query.fresh = true;
  auto answer = compute_.Jobs("alice", "perlmutter", query, "77");
  ASSERT_TRUE(answer) << answer.status().message();
  EXPECT_FALSE(answer->ok);
  EXPECT_EQ(answer->error, "slurm_load_jobs error: Invalid job id specified");
  ASSERT_EQ(scheduler_.queries.size(), 1u);
  EXPECT_EQ(scheduler_.queries[0].requester, "alice");
  EXPECT_TRUE(scheduler_.queries[0].fresh);
  ASSERT_EQ(scheduler_.queries[0].filters.size(), 1u);
  EXPECT_EQ(scheduler_.queries[0].filters[0].name, "jobid");
  EXPECT_EQ(scheduler_.queries[0].filters[0].value, "77");

  scheduler_.rows = {Serialize(JobRow{{"jobid", "77"}})};
  answer = compute_.Jobs("alice", "perlmutter", query, "77");
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->ok);
  ASSERT_EQ(answer->rows.size(), 1u);
  EXPECT_EQ(*answer->rows[0], R"({"jobid":"77"})");
}

TEST_F(ComputeServiceTest, ASubmissionNotesItsScriptInItsTaskBeforeSbatch) {
  auto id = compute_.Submit({.user = "alice",
                             .client_id = "abcdefghijklm",
                             .system = "perlmutter",
                             .job = "#!/bin/bash\n#SBATCH --reservation=r1\necho hi\n"});
  ASSERT_TRUE(id);
  const TaskRecord task = WaitForTask(tasks_, *id, "alice");
  const json::object mark = json::parse(task.checkpoint).as_object();
  EXPECT_EQ(mark.at("script"), scheduler_.submitted.at(0).path.c_str());
  EXPECT_NEAR(static_cast<double>(mark.at("since").as_int64()),
              static_cast<double>(Now().time_since_epoch().count()), 5);
  EXPECT_EQ(mark.at("reservation"), "r1");
  EXPECT_EQ(mark.at("client_id"), "abcdefghijklm");
}

TEST_F(ComputeServiceTest, RefusedSubmissionsAreInTheAuditLogAndAcceptedOnesAreNot) {
  Submitted({.user = "alice", .system = "perlmutter", .job = "#!/bin/bash\ntrue\n"});
  scheduler_.submit_answer = Status::InvalidArgument("sbatch: error: invalid partition specified");
  Submitted({.user = "alice",
             .client_id = "abcdefghijklm",
             .system = "perlmutter",
             .client_ip = "10.1.2.3",
             .job = "#!/bin/bash\ntrue\n"});
  EXPECT_FALSE(compute_.Submit({.user = "alice", .system = "nosuch\nissued client=x", .job = "x"}));
  auto audit = store_->auth().ListAudit(10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 2u);  // newest first; the accepted submission left no line
  EXPECT_EQ((*audit)[0].outcome, "job-refused");
  EXPECT_EQ((*audit)[0].user, "alice");
  EXPECT_EQ((*audit)[0].reason.rfind("nosuch issued client=x: Unknown machine 'nosuch issued", 0),
            0u)
      << (*audit)[0].reason;
  EXPECT_EQ((*audit)[1].outcome, "job-refused");
  EXPECT_EQ((*audit)[1].client_id, "abcdefghijklm");
  EXPECT_EQ((*audit)[1].ip, "10.1.2.3");
  EXPECT_EQ((*audit)[1].reason, "perlmutter: sbatch: error: invalid partition specified");
}

BatchJobSpec RenameTo(const std::string& name) {
  BatchJobSpec spec;
  spec.name = name;
  spec.executable = "/bin/true";  // a full JobSpec: what cannot change is ignored
  return spec;
}

TEST_F(ComputeServiceTest, UpdateGivesTheSchedulerTheChangesAtOnce) {
  BatchJobSpec spec = RenameTo("renamed");
  spec.attributes.duration = 600;
  spec.attributes.queue_name = "debug";
  spec.attributes.account = "m1";  // no projects: accounts are not enforced
  spec.resources = BatchJobSpec::Resources{.node_count = 2};
  ASSERT_TRUE(compute_.UpdateJob("alice", "perlmutter", "123", spec).ok());
  ASSERT_EQ(scheduler_.updated.size(), 1u);
  EXPECT_EQ(scheduler_.updated[0].first, "alice 123");
  const JobChanges& c = scheduler_.updated[0].second;
  EXPECT_EQ(c.name, "renamed");
  EXPECT_EQ(c.time_limit, 600);
  EXPECT_EQ(c.partition, "debug");
  EXPECT_EQ(c.account, "m1");
  EXPECT_EQ(c.nodes, 2);
  EXPECT_TRUE(runas_.calls().empty());  // no task, no worker call

  // The scheduler's answer is the caller's.
  scheduler_.update_answer =
      Status::FailedPrecondition("job 123 is not pending: only a pending job can be changed");
  Status s = compute_.UpdateJob("alice", "perlmutter", "123", RenameTo("x"));
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.message(), "job 123 is not pending: only a pending job can be changed");
}

TEST_F(ComputeServiceTest, UpdateRefusesBeforeTheScheduler) {
  EXPECT_EQ(compute_.UpdateJob("alice", "cori", "1", RenameTo("x")).code(), Code::kNotFound);
  EXPECT_EQ(compute_.UpdateJob("alice", "dtns", "1", RenameTo("x")).code(), Code::kInvalidArgument);
  Status option = compute_.UpdateJob("alice", "perlmutter", "--user=bob", RenameTo("x"));
  EXPECT_EQ(option.code(), Code::kNotFound);
  EXPECT_EQ(option.message(), "Invalid job id specified for job --user=bob");
  BatchJobSpec spec = RenameTo("x");
  spec.attributes.duration = -5;
  EXPECT_EQ(compute_.UpdateJob("alice", "perlmutter", "1", spec).field(), "attributes.duration");
  EXPECT_EQ(compute_.UpdateJob("mallory", "perlmutter", "1", RenameTo("x")).code(),
            Code::kPermissionDenied);
  EXPECT_TRUE(scheduler_.updated.empty());
}

TEST_F(ComputeServiceTest, AnUpdatedAccountIsCheckedAsASubmissionsIs) {
  ASSERT_TRUE(store_->accounts().AddUser({.name = "alice"}).ok());
  ProjectRecord mine{.repo_name = "m1", .cpu_hours_given = 10};
  auto id = store_->accounts().AddProject(mine);
  ASSERT_TRUE(id) << id.status().message();
  ASSERT_TRUE(store_->accounts().SetMember(*id, "alice", "member").ok());
  ASSERT_TRUE(store_->accounts().AddProject({.repo_name = "m2", .cpu_hours_given = 10}));

  BatchJobSpec spec = RenameTo("x");
  spec.attributes.account = "m2";
  Status s = compute_.UpdateJob("alice", "perlmutter", "7", spec);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.field(), "attributes.account");
  EXPECT_EQ(s.message(), "Invalid account or account/partition combination specified");
  EXPECT_TRUE(scheduler_.updated.empty());
  spec.attributes.account = "m1";
  EXPECT_TRUE(compute_.UpdateJob("alice", "perlmutter", "7", spec).ok());
  // Without an account in the spec nothing is checked: the job keeps the one it was charged to.
  EXPECT_TRUE(compute_.UpdateJob("alice", "perlmutter", "7", RenameTo("y")).ok());
  EXPECT_EQ(scheduler_.updated.size(), 2u);
}

TEST_F(ComputeServiceTest, TheBatchScriptUsesTheSystemsContainerRuntime) {
  BatchJobSpec spec;
  spec.executable = "hostname";
  spec.container = BatchJobSpec::Container{"alpine.sif", {}};
  auto refused = compute_.BatchScript("perlmutter", spec);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().field(), "container");
  systems_[0].scheduler.container_runtime = ContainerRuntime::kApptainer;
  auto script = compute_.BatchScript("perlmutter", spec);
  ASSERT_TRUE(script) << script.status().message();
  EXPECT_NE(script->find("\napptainer exec alpine.sif hostname\n"), std::string::npos) << *script;
  EXPECT_EQ(compute_.BatchScript("dtns", spec).status().code(), Code::kInvalidArgument);
}

// The submit task of a node that died mid-submission, as the sweeping node reads it.
class OrphanedSubmitTest : public ComputeServiceTest {
 protected:
  TaskRecord Orphan(const std::string& email = "") {
    JobScript script;
    script.path = "/global/homes/a/alice/.sfapid/jobs/sfapi-1.sh";
    script.text = "#!/bin/bash\n#SBATCH --reservation resv7\ntrue\n";
    SubmitRequest request{.user = "alice", .client_id = "abcdefghijklm", .system = "perlmutter"};
    request.callback.email = email;
    auto id = store_->tasks().CreateTask("alice", "submit_job", "perlmutter", "node-b",
                                         Now() - std::chrono::seconds(60));
    EXPECT_TRUE(id);
    auto set =
        store_->tasks().SetCheckpoint(*id, "node-b", SubmissionCheckpoint(script, request, kSince));
    EXPECT_TRUE(set && *set);
    return store_->tasks().GetTask(*id).value();
  }
  std::optional<TaskOutcome> TakeOver(const TaskRecord& task, int64_t now = kSince + 60) {
    return TakeOverSubmission(task, scheduler_, runas_, callbacks_, now, 35);
  }
  static constexpr int64_t kSince = 1'800'000'000;
};

TEST_F(OrphanedSubmitTest, TheJobFoundInTheSchedulerIsTheTasksResultWithItsCallback) {
  scheduler_.found = std::vector<std::string>{"77"};
  auto outcome = TakeOver(Orphan("alice@example.org"));
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "completed");
  EXPECT_EQ(outcome->result, (json::object{{"status", "ok"}, {"jobid", "77"}, {"error", nullptr}}));
  EXPECT_EQ(scheduler_.looked_for,
            std::vector<std::string>{
                "alice /global/homes/a/alice/.sfapid/jobs/sfapi-1.sh 1800000000 resv7"});
  auto registration = store_->compute().GetRegistration("perlmutter", "77");
  ASSERT_TRUE(registration && *registration) << "the callback was not registered";
  EXPECT_EQ((*registration)->email, "alice@example.org");
}

TEST_F(OrphanedSubmitTest, NoJobFoundOnceSbatchCannotStillRunMeansSubmitAgain) {
  const TaskRecord task = Orphan();
  EXPECT_FALSE(TakeOver(task, kSince + 10));  // sbatch may still be on its way: cannot tell
  auto outcome = TakeOver(task, kSince + 36);
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "failed");
  EXPECT_EQ(outcome->result.at("error"),
            "the sfapid node that ran this task (node-b) stopped while it submitted the job, and "
            "it did not reach the scheduler (no job of yours from "
            "/global/homes/a/alice/.sfapid/jobs/sfapi-1.sh since 2027-01-15T08:00:00+00:00): "
            "submit it again.");
}

TEST_F(OrphanedSubmitTest, SeveralCandidatesAreNamedNotGuessed) {
  scheduler_.found = std::vector<std::string>{"80", "81"};
  auto outcome = TakeOver(Orphan());
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->status, "failed");
  EXPECT_NE(std::string(outcome->result.at("error").as_string())
                .find("; jobs 80, 81 of yours from /global/homes/a/alice/.sfapid/jobs/sfapi-1.sh "
                      "since 2027-01-15T08:00:00+00:00 are in the scheduler and one of them may be "
                      "this submission: check them before submitting again."),
            std::string::npos)
      << outcome->result;
  EXPECT_FALSE(store_->compute().GetRegistration("perlmutter", "80").value());
}

TEST_F(OrphanedSubmitTest, WhenTheSchedulerCannotTellTheGenericFailureStays) {
  scheduler_.found = Status::Unavailable("slurmctld does not answer");
  EXPECT_FALSE(TakeOver(Orphan()));
  scheduler_.found = Status::FailedPrecondition("local scheduler cannot look for submissions");
  EXPECT_FALSE(TakeOver(Orphan()));
  TaskRecord damaged = Orphan();
  damaged.checkpoint = "{not json";
  scheduler_.found = std::vector<std::string>{"77"};
  EXPECT_FALSE(TakeOver(damaged));
}

}  // namespace
}  // namespace sfapid
