#include "util/network_blocklist.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace sfapid {
namespace {

NetworkBlocklist Defaults() { return NetworkBlocklist(CallbacksConfig{}.blocked_networks); }

TEST(NetworkBlocklist, EveryLoopbackSpellingIsBlocked) {
  const auto blocked = Defaults();
  for (const char* ip : {"127.0.0.1", "::1", "::", "0.0.0.0", "::ffff:127.0.0.1", "::127.0.0.1",
                         "64:ff9b::7f00:1", "2002:7f00:1::1", "::ffff:0.0.0.0", "64:ff9b::a00:1",
                         "64:ff9b:1::5", "::ffff:10.0.0.1", "fe80::1", "fd00::1", "169.254.1.1"})
    EXPECT_TRUE(blocked.Blocks(std::string_view(ip))) << ip;
}

TEST(NetworkBlocklist, PublicAddressesPass) {
  const auto blocked = Defaults();
  for (const char* ip : {"192.0.2.10", "2001:db8::1", "::ffff:192.0.2.10", "64:ff9b::c000:20a",
                         "2002:c000:20a::1", "8.8.8.8"})
    EXPECT_FALSE(blocked.Blocks(std::string_view(ip))) << ip;
}

TEST(NetworkBlocklist, UnspecifiedIsBlockedEvenWithAnEmptyList) {
  const NetworkBlocklist none({});
  EXPECT_TRUE(none.Blocks(std::string_view("::")));
  EXPECT_TRUE(none.Blocks(std::string_view("0.0.0.0")));
  EXPECT_TRUE(none.Blocks(std::string_view("64:ff9b::")));
  EXPECT_FALSE(none.Blocks(std::string_view("127.0.0.1")));
}

// Every address of this host's interfaces, read from the kernel as the check runs: a public
// address of the host reaches its services that listen on every address.
TEST(NetworkBlocklist, TheHostsOwnAddressesAreBlockedWhenAsked) {
  ifaddrs* list = nullptr;
  ASSERT_EQ(::getifaddrs(&list), 0);
  std::vector<std::string> mine;
  for (const ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
      continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        i->ifa_addr->sa_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr)
            : &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr;
    ::inet_ntop(i->ifa_addr->sa_family, raw, text, sizeof text);
    mine.emplace_back(text);
  }
  ::freeifaddrs(list);
  ASSERT_FALSE(mine.empty());  // loopback at least
  const NetworkBlocklist host({}, true), open({});
  for (const auto& ip : mine) {
    auto why = host.Blocks(std::string_view(ip));
    ASSERT_TRUE(why) << ip;
    EXPECT_EQ(*why, "an address of this host") << ip;
    EXPECT_FALSE(open.Blocks(std::string_view(ip))) << ip;
  }
  // And carried in an IPv6 address.
  EXPECT_TRUE(host.Blocks(std::string_view("::ffff:127.0.0.1")));
  // Not another address (documentation networks are no interface of a test machine's but one).
  EXPECT_FALSE(host.Blocks(std::string_view("2001:db8:ffff::1")));
}

TEST(NetworkBlocklist, ReasonNamesTheNetworkAndTheCarriedAddress) {
  auto why = Defaults().Blocks(std::string_view("64:ff9b::7f00:1"));
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("127.0.0.0/8"), std::string::npos) << *why;
  EXPECT_NE(why->find("127.0.0.1"), std::string::npos) << *why;
}

TEST(LiteralAddress, ReadsEveryFormTheCLibraryConnectsTo) {
  auto v4 = [](const char* host) {
    auto a = LiteralAddress(host);
    return a && (*a)[10] == 0xff && (*a)[12] == 127 && (*a)[15] == 1;
  };
  for (const char* host : {"127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1"})
    EXPECT_TRUE(v4(host)) << host;
  EXPECT_TRUE(LiteralAddress("[::1]"));
  EXPECT_TRUE(LiteralAddress("::"));
  EXPECT_FALSE(LiteralAddress("example.org"));
  EXPECT_FALSE(LiteralAddress("localhost"));
}

}  // namespace
}  // namespace sfapid
