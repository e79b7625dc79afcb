#include "backends/scheduler/row_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace sfapid {
namespace {

JobRow QueueRow(const std::string& jobid, const std::string& user, const std::string& uid,
                const std::string& state = "PENDING") {
  const std::string array = jobid.substr(0, jobid.find('_'));
  return JobRow{{"jobid", jobid},     {"array_job_id", array}, {"user", user},
                {"uid", uid},         {"partition", "debug"},  {"state", state},
                {"name", "job-name"}, {"account", "m1"},       {"st", "PD"}};
}

bool Matches(const std::vector<JobFilter>& filters, const JobRow& row, bool sacct = false) {
  return RowFilter(filters, sacct).Matches(row);
}

// squeue -u and sacct -u take user names or uids.
TEST(RowFilter, UserIsAUnixNameOrAUid) {
  const JobRow row = QueueRow("12", "alice", "1001");
  EXPECT_TRUE(Matches({{"user", "alice"}}, row));
  EXPECT_TRUE(Matches({{"user", "1001"}}, row));
  EXPECT_TRUE(Matches({{"user", "bob,alice"}}, row));
  EXPECT_FALSE(Matches({{"user", "bob"}}, row));
  EXPECT_FALSE(Matches({{"user", "1002"}}, row));
  EXPECT_FALSE(Matches({{"user", ""}}, QueueRow("12", "alice", "")));
}

TEST(RowFilter, JobIdNamesAJobAnArrayOrATask) {
  EXPECT_TRUE(Matches({{"jobid", "12"}}, QueueRow("12", "a", "1")));
  EXPECT_TRUE(Matches({{"jobid", "12"}}, QueueRow("12_3", "a", "1")));
  EXPECT_TRUE(Matches({{"jobid", "12_3"}}, QueueRow("12_3", "a", "1")));
  EXPECT_FALSE(Matches({{"jobid", "12_4"}}, QueueRow("12_3", "a", "1")));
  EXPECT_FALSE(Matches({{"jobid", "1"}}, QueueRow("12", "a", "1")));
  EXPECT_TRUE(Matches({{"jobid", "9,12"}}, QueueRow("12", "a", "1")));
  JobRow sacct = QueueRow("12_3", "a", "1");
  sacct["jobidraw"] = "15";
  EXPECT_TRUE(Matches({{"jobid", "15"}}, sacct, true));
}

TEST(RowFilter, StateTakesFullOrShortNamesAndIgnoresWhoCancelled) {
  EXPECT_TRUE(Matches({{"state", "pd"}}, QueueRow("1", "a", "1")));
  EXPECT_TRUE(Matches({{"state", "RUNNING,PENDING"}}, QueueRow("1", "a", "1")));
  EXPECT_FALSE(Matches({{"state", "R"}}, QueueRow("1", "a", "1")));
  EXPECT_TRUE(Matches({{"state", "CA"}}, QueueRow("1", "a", "1", "CANCELLED by 1001"), true));
}

TEST(RowFilter, NameIsTheJobNameInEitherViewAndOtherNamesAreExactFields) {
  EXPECT_TRUE(Matches({{"name", "job-name"}}, QueueRow("1", "a", "1")));
  JobRow sacct{{"jobid", "1"}, {"jobname", "job-name"}};
  EXPECT_TRUE(Matches({{"name", "job-name"}}, sacct, true));
  EXPECT_FALSE(Matches({{"name", "job-name"}}, sacct, false));
  EXPECT_TRUE(Matches({{"st", "PD"}, {"account", "m1"}}, QueueRow("1", "a", "1")));
  EXPECT_FALSE(Matches({{"st", "PD"}, {"account", "m2"}}, QueueRow("1", "a", "1")));
  // Only the listed names take comma lists.
  EXPECT_FALSE(Matches({{"st", "PD,R"}}, QueueRow("1", "a", "1")));
}

TEST(RowFilter, AReaderAnswersAsTheRowWouldAndCollectsNamedIds) {
  const RowFilter filter({{"jobid", "7,8"}, {"user", "alice"}}, false);
  EXPECT_TRUE(filter.has_job_ids());
  EXPECT_EQ(filter.job_ids(), (std::vector<std::string>{"7", "8"}));
  std::vector<std::string> asked;
  const auto reader = [&](std::string_view field) -> std::string {
    asked.emplace_back(field);
    if (field == "jobid") return "8";
    if (field == "user") return "alice";
    return "";
  };
  EXPECT_TRUE(filter.Matches(reader));
  EXPECT_FALSE(RowFilter({}, false).has_job_ids());
}

}  // namespace
}  // namespace sfapid
