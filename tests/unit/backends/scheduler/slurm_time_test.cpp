#include "backends/scheduler/slurm_time.h"

#include <gtest/gtest.h>

namespace sfapid::slurm {
namespace {

TEST(SlurmTime, ParsesEverySbatchTimeForm) {
  EXPECT_EQ(ParseDuration("10"), 600);
  EXPECT_EQ(ParseDuration("10:30"), 630);
  EXPECT_EQ(ParseDuration("1:02:03"), 3723);
  EXPECT_EQ(ParseDuration("2-0"), 2 * 86400);
  EXPECT_EQ(ParseDuration("2-01:30"), 2 * 86400 + 5400);
  EXPECT_EQ(ParseDuration("2-01:30:05"), 2 * 86400 + 5405);
  EXPECT_EQ(ParseDuration("UNLIMITED"), kUnlimited);
  EXPECT_EQ(ParseDuration("infinite"), kUnlimited);
  for (const char* bad : {"", "abc", "1:2:3:4", "-5", "1-", "1-2:3:4:5", "1.5", "10m"})
    EXPECT_FALSE(ParseDuration(bad)) << bad;
}

TEST(SlurmTime, FormatsLikeSqueueAndSacct) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(65), "1:05");
  EXPECT_EQ(FormatDuration(3723), "1:02:03");
  EXPECT_EQ(FormatDuration(12 * 3600), "12:00:00");
  EXPECT_EQ(FormatDuration(86400 + 3723), "1-01:02:03");
  EXPECT_EQ(FormatDuration(kUnlimited), "UNLIMITED");
  EXPECT_EQ(FormatElapsed(0), "00:00:00");
  EXPECT_EQ(FormatElapsed(3723), "01:02:03");
  EXPECT_EQ(FormatElapsed(2 * 86400 + 5), "2-00:00:05");
}

TEST(SlurmTime, TimeLimitsAlwaysHaveDaysAndReadBack) {
  EXPECT_EQ(FormatTimeLimit(90), "0-00:01:30");
  EXPECT_EQ(FormatTimeLimit(3600), "0-01:00:00");
  EXPECT_EQ(FormatTimeLimit(2 * 86400 + 3723), "2-01:02:03");
  EXPECT_EQ(FormatTimeLimit(kUnlimited), "UNLIMITED");
  for (int64_t s : {1, 59, 3600, 86399, 86400, 40 * 86400 + 1})
    EXPECT_EQ(ParseDuration(FormatTimeLimit(s)), s) << s;
}

TEST(SlurmTime, ParsesBeginTimes) {
  const int64_t now = 1'800'000'000;
  EXPECT_EQ(ParseBegin("now", now), now);
  EXPECT_EQ(ParseBegin("now+60", now), now + 60);
  EXPECT_EQ(ParseBegin("now+2minutes", now), now + 120);
  EXPECT_EQ(ParseBegin("now+1hour", now), now + 3600);
  EXPECT_EQ(ParseBegin("now+3days", now), now + 3 * 86400);
  auto at = ParseBegin("2030-01-02T03:04:05", now);
  ASSERT_TRUE(at);
  EXPECT_EQ(FormatTimestamp(*at), "2030-01-02T03:04:05");
  EXPECT_EQ(FormatTimestamp(*ParseBegin("2030-01-02", now)), "2030-01-02T00:00:00");
  // A clock time is today's, or tomorrow's once it has passed.
  auto clock = ParseBegin("23:59", now);
  ASSERT_TRUE(clock);
  EXPECT_GE(*clock, now);
  EXPECT_LT(*clock, now + 86400 + 60);
  for (const char* bad : {"", "now+", "now+5parsecs", "later", "25:00", "2030-13-01", "2030-02-30",
                          "2030-01-01T10", "now-5"})
    EXPECT_FALSE(ParseBegin(bad, now)) << bad;
}

TEST(SlurmTime, TimestampsAreSqueueStyle) {
  EXPECT_EQ(FormatTimestamp(0), "N/A");
  EXPECT_EQ(FormatTimestamp(0, "Unknown"), "Unknown");
  EXPECT_EQ(FormatTimestamp(1'800'000'000).size(), std::string("2027-01-15T08:00:00").size());
}

}  // namespace
}  // namespace sfapid::slurm
