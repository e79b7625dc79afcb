#include "api/iri/job_view.h"

#include <gtest/gtest.h>

namespace sfapid::iri {
namespace {

TEST(JobView, StatesInTheSpecsNames) {
  EXPECT_EQ(IriJobState("PENDING", "Priority"), "queued");
  EXPECT_EQ(IriJobState("PENDING", "JobHeldUser"), "held");
  EXPECT_EQ(IriJobState("PENDING", "JobHeldAdmin"), "held");
  EXPECT_EQ(IriJobState("RUNNING", "None"), "active");
  EXPECT_EQ(IriJobState("COMPLETING", ""), "active");
  EXPECT_EQ(IriJobState("COMPLETED", ""), "completed");
  EXPECT_EQ(IriJobState("CANCELLED by 1000", ""), "canceled");
  EXPECT_EQ(IriJobState("TIMEOUT", ""), "failed");
  EXPECT_EQ(IriJobState("OUT_OF_MEMORY", ""), "failed");
}

TEST(JobView, AccountingRowGivesTheExitCodeAndTheSpec) {
  JobRow row{{"jobid", "12"},
             {"state", "FAILED"},
             {"reason", "None"},
             {"exitcode", "3:0"},
             {"end", "2026-12-04T10:00:00"},
             {"jobname", "j"},
             {"workdir", "/home/a"},
             {"partition", "debug"},
             {"account", "m1"},
             {"reservation", ""},
             {"timelimit", "00:10:00"},
             {"nnodes", "2"}};
  const auto job = JobFromRow(row, true, true);
  EXPECT_EQ(job.at("id").as_string(), "12");
  const auto& status = job.at("status").as_object();
  EXPECT_EQ(status.at("state").as_string(), "failed");
  EXPECT_EQ(status.at("exit_code").as_int64(), 3);
  EXPECT_GT(status.at("time").as_int64(), 0);
  EXPECT_FALSE(status.contains("message"));  // "None" is no reason
  const auto& spec = job.at("job_spec").as_object();
  EXPECT_EQ(spec.at("name").as_string(), "j");
  EXPECT_EQ(spec.at("attributes").at("duration").as_int64(), 600);
  EXPECT_TRUE(spec.at("attributes").at("reservation_id").is_null());
  EXPECT_EQ(spec.at("resources").at("node_count").as_int64(), 2);
}

TEST(JobView, ASignalsDeathReadsAsAShellWould) {
  const auto job =
      JobFromRow(JobRow{{"jobid", "1"}, {"state", "CANCELLED"}, {"exitcode", "0:9"}}, true, false);
  EXPECT_EQ(job.at("status").at("exit_code").as_int64(), 137);
}

}  // namespace
}  // namespace sfapid::iri
