// The Slurm backend's readers against real Slurm 22.05 output recorded by scripts/slurm-samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "backends/scheduler/job_fields.h"
#include "backends/scheduler/slurm/queue_to_sacct.h"
#include "backends/scheduler/slurm/sacct_text.h"
#include "backends/scheduler/slurm/squeue_json.h"

namespace sfapid::slurm {
namespace {

std::string Sample(const std::string& name) {
  std::ifstream in(std::string(SFAPID_SLURM_SAMPLES) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

std::string S(const JobRow& row, const char* key) {
  const auto* v = row.if_contains(key);
  EXPECT_TRUE(v && v->is_string()) << key;
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

void ExpectExactFields(const JobRow& row, std::span<const std::string_view> fields) {
  std::set<std::string> want(fields.begin(), fields.end()), got;
  for (const auto& [k, v] : row) {
    got.insert(std::string(k));
    EXPECT_TRUE(v.is_string()) << k;
  }
  EXPECT_EQ(got, want);
}

JobRow OnlySqueueJob(const std::string& sample, int64_t now = 1795814500) {
  auto jobs = ParseSqueueJson(Sample(sample), now);
  EXPECT_TRUE(jobs.ok());
  EXPECT_EQ(jobs->size(), 1u) << sample;
  return jobs->empty() ? JobRow{} : jobs->front().row;
}

TEST(SqueueJson, RunningJobHasEverySqueueField) {
  JobRow row = OnlySqueueJob("running.squeue.json");
  ExpectExactFields(row, SqueueFields());
  EXPECT_EQ(S(row, "jobid"), "4");
  EXPECT_EQ(S(row, "state"), "RUNNING");
  EXPECT_EQ(S(row, "st"), "R");
  EXPECT_EQ(S(row, "user"), "alice");
  EXPECT_EQ(S(row, "account"), "default");
  EXPECT_EQ(S(row, "partition"), "regular");
  EXPECT_EQ(S(row, "name"), "sample-running");
  EXPECT_EQ(S(row, "time_limit"), "10:00");
  EXPECT_EQ(S(row, "time"), "0:34");  // now - start_time
  EXPECT_EQ(S(row, "nodelist"), "localhost");
  EXPECT_EQ(S(row, "nodelist(reason)"), "localhost");
  EXPECT_EQ(S(row, "array_task_id"), "N/A");
  EXPECT_EQ(S(row, "array_job_id"), "4");
}

TEST(SqueueJson, PendingArrayAndHeldJobs) {
  JobRow pending = OnlySqueueJob("pending.squeue.json");
  EXPECT_EQ(S(pending, "state"), "PENDING");
  EXPECT_EQ(S(pending, "reason"), "Resources");
  EXPECT_EQ(S(pending, "nodelist(reason)"), "(Resources)");
  EXPECT_EQ(S(pending, "start_time").size() == 19 || S(pending, "start_time") == "N/A", true);
  JobRow held = OnlySqueueJob("held-odd-name.squeue.json");
  EXPECT_EQ(S(held, "reason"), "JobHeldUser");
  EXPECT_EQ(S(held, "name"), "sample-held|odd \"name\"");
}

TEST(SqueueJson, PendingArrayIsListedOneTaskPerRow) {
  // Slurm keeps the tasks that have not started in one record, "6_[0-2]"; squeue -r and the local
  // scheduler list them one by one.
  auto tasks = ParseSqueueJson(Sample("array-pending.squeue.json"), 1795814500);
  ASSERT_TRUE(tasks.ok());
  std::vector<std::string> ids, task_ids;
  for (const auto& t : *tasks) {
    ids.push_back(S(t.row, "jobid"));
    task_ids.push_back(S(t.row, "array_task_id"));
    EXPECT_EQ(S(t.row, "array_job_id"), "6");
    EXPECT_EQ(S(t.row, "state"), "PENDING");
    ExpectExactFields(t.row, SqueueFields());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"6_0", "6_1", "6_2"}));
  EXPECT_EQ(task_ids, (std::vector<std::string>{"0", "1", "2"}));
  // A huge pending array stays one row, as squeue shows it.
  std::string huge = Sample("array-pending.squeue.json");
  const std::string from = "\"array_task_string\": \"0-2\"";
  ASSERT_NE(huge.find(from), std::string::npos);
  huge.replace(huge.find(from), from.size(), "\"array_task_string\": \"0-3999999\"");
  auto folded = ParseSqueueJson(huge, 1795814500);
  ASSERT_TRUE(folded.ok());
  ASSERT_EQ(folded->size(), 1u);
  EXPECT_EQ(S(folded->at(0).row, "jobid"), "6_[0-3999999]");
}

TEST(JobIdOrder, NumericThenTaskThenPendingRemainder) {
  std::vector<std::string> ids{"10_[11-12]", "10_10", "9", "10", "10_2", "100", "9_1"};
  std::sort(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return JobIdLess(a, b); });
  EXPECT_EQ(ids,
            (std::vector<std::string>{"9", "9_1", "10", "10_2", "10_10", "10_[11-12]", "100"}));
}

TEST(SqueueJson, EndedJobsAndArrayTasks) {
  EXPECT_EQ(S(OnlySqueueJob("failed.squeue.json"), "state"), "FAILED");
  EXPECT_EQ(S(OnlySqueueJob("timeout.squeue.json"), "st"), "TO");
  EXPECT_EQ(S(OnlySqueueJob("cancelled.squeue.json"), "state"), "CANCELLED");
  auto tasks = ParseSqueueJson(Sample("array-completed.squeue.json"), 1795814500);
  ASSERT_TRUE(tasks.ok());
  std::set<std::string> ids;
  for (const auto& t : *tasks) ids.insert(S(t.row, "jobid"));
  EXPECT_EQ(ids, (std::set<std::string>{"6_0", "6_1", "6_2"}));
}

TEST(SqueueJson, RejectsWhatIsNotSqueue) {
  EXPECT_FALSE(ParseSqueueJson("", 0).ok());
  EXPECT_FALSE(ParseSqueueJson("{\"errors\":[]}", 0).ok());
  EXPECT_FALSE(ParseSqueueJson("squeue: error: ...", 0).ok());
}

TEST(SqueueJson, AControllerThatIsDownIsAnErrorNotAnEmptyQueue) {
  // What squeue --json printed (exit 0) with slurmctld stopped.
  auto r = ParseSqueueJson(
      R"({"errors":[{"description":"Failed while looking for jobs","error_number":-1,)"
      R"("error":"Unspecified error","source":"slurm_load_jobs"}],"jobs":[]})",
      0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(), "squeue: Failed while looking for jobs: Unspecified error");
}

// The recorded samples use '|'; the backend asks for the unit separator.
std::vector<JobRow> SacctRows(const std::string& sample) {
  auto rows = ParseSacctText(Sample(sample), '|');
  EXPECT_TRUE(rows.ok());
  return rows.ok() ? *rows : std::vector<JobRow>{};
}

TEST(SacctText, ReadsExactlyTheSpecFields) {
  auto rows = SacctRows("failed.sacct.txt");
  ASSERT_GE(rows.size(), 1u);
  ExpectExactFields(rows[0], SacctFields());
  EXPECT_EQ(S(rows[0], "jobid"), "2");
  EXPECT_EQ(S(rows[0], "state"), "FAILED");
  EXPECT_EQ(S(rows[0], "exitcode"), "3:0");
  EXPECT_EQ(S(rows[0], "user"), "alice");
  EXPECT_EQ(S(rows[0], "cluster"), "perlmutter");
}

TEST(SacctText, CancelledShowsWho) {
  auto rows = SacctRows("cancelled.sacct.txt");
  ASSERT_GE(rows.size(), 1u);
  EXPECT_EQ(S(rows[0], "state"), "CANCELLED by 1008");
  auto timeout = SacctRows("timeout.sacct.txt");
  ASSERT_GE(timeout.size(), 1u);
  EXPECT_EQ(S(timeout[0], "state"), "TIMEOUT");
}

TEST(SacctText, UnitSeparatorKeepsPipesInNames) {
  const std::string us(1, kSacctDelimiter);
  const std::string text = "Account" + us + "JobID" + us + "JobName" + us + "State\n" + "default" +
                           us + "7" + us + "a|b \"c\"" + us + "PENDING\n";
  auto rows = ParseSacctText(text);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(S((*rows)[0], "jobname"), "a|b \"c\"");
  EXPECT_EQ(S((*rows)[0], "elapsed"), "");  // not asked: present and empty
  EXPECT_FALSE(ParseSacctText("sacct: error: Invalid field requested\n").ok());
}

TEST(SacctText, PendingArrayIsListedOneTaskPerRow) {
  std::vector<JobRow> rows = SacctRows("array-pending.sacct.txt");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(S(rows[0], "jobid"), "6_[0-2]");
  rows.push_back(rows[0]);
  rows[1]["jobid"] = "7_[1,4-8:3%2]";
  rows.push_back(rows[0]);
  rows[2]["jobid"] = "8_[0-3+";  // cut short: kept as it is
  rows.push_back(rows[0]);
  rows[3]["jobid"] = "9_[0-3999999]";  // more than are listed one by one: kept as one row
  ListPendingArrayTasks(rows);
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(S(row, "jobid"));
  EXPECT_EQ(ids, (std::vector<std::string>{"6_0", "6_1", "6_2", "7_1", "7_4", "7_7", "8_[0-3+",
                                           "9_[0-3999999]"}));
  EXPECT_EQ(S(rows[1], "jobidraw"), "6");
  EXPECT_EQ(S(rows[1], "state"), "PENDING");
}

TEST(QueueToSacct, AJobNotYetAccountedLooksAsSacctWillShowIt) {
  JobRow pending = SacctRowFromQueue(OnlySqueueJob("pending.squeue.json"), "perlmutter");
  ExpectExactFields(pending, SacctFields());
  JobRow recorded = SacctRows("pending.sacct.txt").at(0);
  for (const char* f :
       {"jobid",     "jobidraw",     "jobname",   "user",     "account",    "partition",
        "qos",       "state",        "reason",    "submit",   "start",      "end",
        "timelimit", "timelimitraw", "alloccpus", "ncpus",    "nnodes",     "reqmem",
        "nodelist",  "workdir",      "cluster",   "exitcode", "reservation"})
    EXPECT_EQ(S(pending, f), S(recorded, f)) << f;
  EXPECT_EQ(S(pending, "reservation"), "");  // squeue's "(null)"
  // A job in a reservation keeps its name: it is what spares it a charge of its own.
  JobRow in_reservation = OnlySqueueJob("running.squeue.json");
  in_reservation["reservation"] = "proj.night";
  EXPECT_EQ(S(SacctRowFromQueue(in_reservation, "perlmutter"), "reservation"), "proj.night");
  JobRow running = SacctRowFromQueue(OnlySqueueJob("running.squeue.json"), "perlmutter");
  EXPECT_EQ(S(running, "state"), "RUNNING");
  EXPECT_EQ(S(running, "elapsed"), "00:00:34");
  EXPECT_EQ(S(running, "nodelist"), "localhost");
  EXPECT_EQ(S(running, "timelimit"), "00:10:00");
  // An ended job: squeue --json's wait status is sacct's exit code.
  auto failed = ParseSqueueJson(Sample("failed.squeue.json"), 1795814500);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->at(0).queue_only.exit_code, "3:0");
  JobRow ended = SacctRowFromQueue(failed->at(0).row, "perlmutter", failed->at(0).queue_only);
  JobRow recorded_failed = SacctRows("failed.sacct.txt").at(0);
  for (const char* f : {"jobid", "jobidraw", "state", "exitcode", "start", "end", "elapsed"})
    EXPECT_EQ(S(ended, f), S(recorded_failed, f)) << f;
  auto timeout = ParseSqueueJson(Sample("timeout.squeue.json"), 1795814600);
  ASSERT_TRUE(timeout.ok());
  EXPECT_EQ(timeout->at(0).queue_only.exit_code, "0:15");
}

}  // namespace
}  // namespace sfapid::slurm
