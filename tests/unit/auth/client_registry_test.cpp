// Creating API clients by the rules of their level: how wide each IP range of a pinned (red)
// client may be, IPv4 ranges written as IPv6 included, and how many valid clients a user may have.
#include "auth/client_registry.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace sfapid {
namespace {

class ClientRegistryTest : public ::testing::Test {
 protected:
  Result<CreatedClient> Create(Level level, std::vector<std::string> ranges,
                               const std::string& owner = "alice") {
    NewClient request;
    request.owner = owner;
    request.level = level;
    request.ip_ranges = std::move(ranges);
    request.key_type = Key::Type::kEc;  // quick to generate
    return clients_.Create(request);
  }

  testing::TestStore store_;
  AuthConfig auth_;
  ClientRegistry clients_{auth_, store_->auth()};
};

TEST_F(ClientRegistryTest, ARedClientsRangesAreNoWiderThanTheLevelAllows) {
  ASSERT_TRUE(Create(Level::kRed, {"10.1.0.0/16", "2001:db8:1::/48"}));
  ASSERT_TRUE(Create(Level::kRed, {"192.0.2.7/32", "::ffff:10.2.0.0/112"}));
  // Catch-alls and near-catch-alls, in every spelling: refused, and nothing is stored.
  const std::vector<std::pair<std::string, std::string>> wide = {
      {"0.0.0.0/0", "red clients may name IPv4 ranges of /16 or narrower; '0.0.0.0/0' is wider"},
      {"10.0.0.0/8", "red clients may name IPv4 ranges of /16 or narrower; '10.0.0.0/8' is wider"},
      {"::/0", "red clients may name IPv4 ranges of /16 or narrower; '::/0' is wider"},
      // Holds every IPv4-mapped address, so every IPv4 client.
      {"::/48", "red clients may name IPv4 ranges of /16 or narrower; '::/48' is wider"},
      {"::ffff:0:0/96",
       "red clients may name IPv4 ranges of /16 or narrower; '::ffff:0:0/96' is wider"},
      {"::ffff:10.0.0.0/104",
       "red clients may name IPv4 ranges of /16 or narrower; '::ffff:10.0.0.0/104' is wider"},
      {"2001:db8::/32",
       "red clients may name IPv6 ranges of /48 or narrower; '2001:db8::/32' is wider"}};
  for (const auto& [range, error] : wide) {
    auto created = Create(Level::kRed, {range});
    ASSERT_FALSE(created) << range;
    EXPECT_EQ(created.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(created.status().field(), "ip_ranges");
    EXPECT_EQ(created.status().message(), error);
  }
  EXPECT_EQ(clients_.ListOwnedBy("alice")->size(), 2u);
  // Green and yellow clients may be as wide as their owner likes (the defaults).
  EXPECT_TRUE(Create(Level::kGreen, {"0.0.0.0/0", "::/0"}));
  EXPECT_TRUE(Create(Level::kYellow, {"0.0.0.0/0"}));
}

TEST_F(ClientRegistryTest, AUserHasAtMostSoManyValidClients) {
  auth_.max_clients_per_user = 3;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto created = Create(Level::kGreen, {});
    ASSERT_TRUE(created) << created.status().message();
    ids.push_back(created->record.client_id);
  }
  auto fourth = Create(Level::kGreen, {});
  ASSERT_FALSE(fourth);
  EXPECT_EQ(fourth.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(fourth.status().message(),
            "alice has 3 valid API clients, the most a user may have (3); delete one first");
  EXPECT_EQ(clients_.ListOwnedBy("alice")->size(), 3u);
  // Another user's count is their own; a revoked client no longer counts.
  EXPECT_TRUE(Create(Level::kGreen, {}, "bob"));
  ASSERT_TRUE(clients_.Revoke(ids.front()).ok());
  EXPECT_TRUE(Create(Level::kGreen, {}));
}

// The view every token check reads is reloaded every few seconds: a reload keeps each client's
// parsed key (parsing is the cost) and still sees what changed in the store.
TEST_F(ClientRegistryTest, AReloadKeepsParsedKeysAndSeesRevocations) {
  auto created = Create(Level::kGreen, {"10.0.0.0/8"});
  ASSERT_TRUE(created);
  const std::string id = created->record.client_id;
  ASSERT_TRUE(clients_.Reload().ok());
  auto before = clients_.Find(id);
  ASSERT_TRUE(before);
  ASSERT_TRUE(store_->auth().RevokeClient(id, Now()).ok());  // as another node would
  ASSERT_TRUE(clients_.Reload().ok());
  auto after = clients_.Find(id);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->record.revoked_at.has_value());
  EXPECT_EQ(after->key.PublicPem(), before->key.PublicPem());
  EXPECT_TRUE(after->AllowsIp("10.9.8.7"));
  EXPECT_FALSE(after->AllowsIp("192.0.2.1"));
}

}  // namespace
}  // namespace sfapid
