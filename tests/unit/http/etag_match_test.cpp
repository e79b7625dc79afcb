#include "http/etag_match.h"

#include <gtest/gtest.h>

namespace sfapid::http {
namespace {

TEST(NoneMatchNames, AnyTagOfAListOrTheStarMatchesWeakly) {
  EXPECT_TRUE(NoneMatchNames("\"a-1\"", "\"a-1\""));
  EXPECT_TRUE(NoneMatchNames("\"x\", \"a-1\"", "\"a-1\""));
  EXPECT_TRUE(NoneMatchNames(" \"x\" ,W/\"a-1\"", "\"a-1\""));
  EXPECT_TRUE(NoneMatchNames("*", "\"a-1\""));
  EXPECT_FALSE(NoneMatchNames("\"x\", \"y\"", "\"a-1\""));
  EXPECT_FALSE(NoneMatchNames("", "\"a-1\""));
  EXPECT_FALSE(NoneMatchNames("\"a-1", "\"a-1\""));
}

}  // namespace
}  // namespace sfapid::http
