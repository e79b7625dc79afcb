#include "util/time_format.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

TEST(TimeFormat, RoundTripsUtc) {
  auto t = ParseIso8601("2026-11-27T17:23:33+00:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatIso8601(*t), "2026-11-27T17:23:33+00:00");
}

TEST(TimeFormat, AppliesOffsets) {
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2026-01-02T08:00:00-08:00")), "2026-01-02T16:00:00+00:00");
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2026-01-02T08:00+0530")), "2026-01-02T02:30:00+00:00");
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2026-01-02 08:00Z")), "2026-01-02T08:00:00+00:00");
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2026-01-02")), "2026-01-02T00:00:00+00:00");
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2026-01-02T08:00:00.123Z")), "2026-01-02T08:00:00+00:00");
}

TEST(TimeFormat, RejectsImpossibleAndMalformed) {
  for (const char* bad :
       {"", "2026", "2026-13-01", "2026-02-30", "2026-01-01T25:00", "2026-01-01T10",
        "2026-01-01T10:00+", "2026-01-01T10:00 junk", "yesterday", "2026-1-1"})
    EXPECT_FALSE(ParseIso8601(bad)) << bad;
}

}  // namespace
}  // namespace sfapid
