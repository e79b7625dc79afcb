#include "util/cidr.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

TEST(Cidr, Ipv4Ranges) {
  auto c = ParseCidr("10.1.0.0/16");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->Contains("10.1.255.3"));
  EXPECT_FALSE(c->Contains("10.2.0.1"));
  EXPECT_FALSE(c->Contains("::1"));
  EXPECT_TRUE(ParseCidr("0.0.0.0/0")->Contains("203.0.113.9"));
  EXPECT_TRUE(ParseCidr("127.0.0.1")->Contains("127.0.0.1"));
  EXPECT_FALSE(ParseCidr("127.0.0.1")->Contains("127.0.0.2"));
}

TEST(Cidr, Ipv6Ranges) {
  auto c = ParseCidr("2001:db8::/33");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->Contains("2001:db8:7fff::1"));
  EXPECT_FALSE(c->Contains("2001:db8:8000::1"));
  EXPECT_TRUE(ParseCidr("::ffff:0:0/96")->Contains("192.0.2.1"));  // mapped IPv4
}

TEST(Cidr, RejectsMalformed) {
  for (const char* bad :
       {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::/129", "host/8", "1.2.3.4/x", "10.0.0.0/-1"})
    EXPECT_FALSE(ParseCidr(bad)) << bad;
}

}  // namespace
}  // namespace sfapid
