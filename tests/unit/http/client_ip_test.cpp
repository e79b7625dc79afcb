// Client-IP resolution behind trusted proxies: X-Forwarded-For is believed only from a trusted
// peer and read from the right, past trusted hops, to the first address a client could not forge.
#include "http/client_ip.h"

#include <gtest/gtest.h>

namespace sfapid::http {
namespace {

const TrustedProxies kProxies({"10.0.0.0/8", "2001:db8::/32"});

TEST(ClientIpTest, WithoutTrustedProxiesThePeerIsTheClient) {
  const TrustedProxies none({});
  EXPECT_EQ(none.ClientIp("10.1.2.3", {"198.51.100.7"}), "10.1.2.3");
}

TEST(ClientIpTest, AnUntrustedPeersForwardedForIsIgnored) {
  EXPECT_EQ(kProxies.ClientIp("203.0.113.9", {"198.51.100.7"}), "203.0.113.9");
}

TEST(ClientIpTest, BehindATrustedProxyTheLastUntrustedHopIsTheClient) {
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {"198.51.100.7"}), "198.51.100.7");
  // What the client wrote itself stands left of what its proxy appended: it is not believed.
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {"1.2.3.4, 198.51.100.7, 10.0.0.2"}), "198.51.100.7");
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {" 198.51.100.7 ,10.9.9.9 "}), "198.51.100.7");
}

TEST(ClientIpTest, SeveralHeaderFieldsAreOneListInOrder) {
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {"1.2.3.4", "198.51.100.7"}), "198.51.100.7");
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {"198.51.100.7", "10.0.0.3"}), "198.51.100.7");
}

TEST(ClientIpTest, Ipv6HopsAndProxiesWork) {
  EXPECT_EQ(kProxies.ClientIp("2001:db8::1", {"2001:db9::5, 2001:db8::2"}), "2001:db9::5");
}

TEST(ClientIpTest, ATrustedProxyWithoutTheHeaderIsItself) {
  // Its own requests (health checks) come without one.
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {}), "10.0.0.1");
}

TEST(ClientIpTest, AnUnreadableOrAllTrustedChainIsUnknownNeverTheProxy) {
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {"198.51.100.7, garbage"}), kUnknownClient);
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {"10.0.0.2, 10.0.0.3"}), kUnknownClient);
  EXPECT_EQ(kProxies.ClientIp("10.0.0.1", {"198.51.100.7,"}), kUnknownClient);
}

TEST(ClientIpTest, RangesThatDoNotParseAreLeftOut) {
  const TrustedProxies proxies({"not-a-cidr", "192.0.2.0/24"});
  EXPECT_TRUE(proxies.Contains("192.0.2.10"));
  EXPECT_FALSE(proxies.Contains("10.0.0.1"));
  EXPECT_EQ(proxies.ClientIp("192.0.2.10", {"198.51.100.7"}), "198.51.100.7");
}

}  // namespace
}  // namespace sfapid::http
