// The Range header of a resumed download (RFC 9110 §14).
#include "http/byte_range.h"

#include <gtest/gtest.h>

namespace sfapid::http {
namespace {

using Kind = RangeAnswer::Kind;

void ExpectPart(std::string_view header, int64_t size, int64_t first, int64_t last) {
  const RangeAnswer a = ParseRange(header, size);
  EXPECT_EQ(a.kind, Kind::kPart) << header;
  EXPECT_EQ(a.range.first, first) << header;
  EXPECT_EQ(a.range.last, last) << header;
}

TEST(ParseRange, OneRangeIsAPart) {
  ExpectPart("bytes=0-99", 1000, 0, 99);
  ExpectPart("bytes=900-", 1000, 900, 999);
  ExpectPart("bytes=900-5000", 1000, 900, 999);  // clipped to the end
  ExpectPart("bytes=-100", 1000, 900, 999);
  ExpectPart("bytes=-5000", 1000, 0, 999);  // a suffix longer than the file: all of it
  ExpectPart("Bytes = 7-7", 1000, 7, 7);
}

TEST(ParseRange, StartingPastTheEndIsUnsatisfiable) {
  EXPECT_EQ(ParseRange("bytes=1000-", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-", 0).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-5", 0).kind, Kind::kUnsatisfiable);
}

TEST(ParseRange, WhatItDoesNotServeAsAPartIsTheWholeFile) {
  for (const char* h : {"bytes=0-1,5-6", "items=0-5", "bytes=5-2", "bytes=a-", "bytes=-x",
                        "bytes=+1-2", "bytes", "bytes=", "bytes=-"})
    EXPECT_EQ(ParseRange(h, 1000).kind, Kind::kWhole) << h;
}

}  // namespace
}  // namespace sfapid::http
