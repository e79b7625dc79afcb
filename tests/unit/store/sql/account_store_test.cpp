// The account store (users, projects, members, groups, charges read from finished jobs) against a
// real SQLite file in a temporary folder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.h"
#include "support/finished_job.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

class AccountStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testing::OpenTestStore(dir_ + "/sfapid.db");
    ASSERT_TRUE(s) << s.status().message();
    store_ = std::move(s).value();
  }
  AccountStore& accounts() { return store_->accounts(); }

  int64_t Project(const std::string& repo, double cpu = 10) {
    ProjectRecord p;
    p.repo_name = repo;
    p.description = "about " + repo;
    p.cpu_hours_given = cpu;
    p.gpu_hours_given = 0.5;
    p.project_dir = "/p/" + repo;
    p.project_dir_bytes = 1 << 30;
    auto id = accounts().AddProject(p);
    EXPECT_TRUE(id) << id.status().message();
    return id ? *id : 0;
  }

  void Charge(const std::string& jobid, const std::string& user, const std::string& account,
              int64_t seconds, int nodes) {
    ASSERT_TRUE(store_->compute().RecordUsage(
        testing::FinishedJobOf(jobid, user, account, seconds, nodes)));
  }

  testing::TempDir tmp_{"account-store"};
  std::string dir_ = tmp_.path();
  std::unique_ptr<Store> store_;
};

TEST_F(AccountStoreTest, UsersKeepTheirDetailsAndOptionalUid) {
  ASSERT_TRUE(accounts().AddUser({"alice", 1234, "Alice", "Liddell", "", "a@x.org", "", ""}).ok());
  ASSERT_TRUE(accounts().AddUser({"bob", std::nullopt, "", "", "", "", "", ""}).ok());
  EXPECT_EQ(accounts().AddUser({"bob", 1, "", "", "", "", "", ""}).code(), Code::kAlreadyExists);
  auto alice = accounts().GetUser("alice");
  ASSERT_TRUE(alice && *alice);
  EXPECT_EQ((*alice)->uid, 1234);
  EXPECT_EQ((*alice)->lastname, "Liddell");
  auto bob = accounts().GetUser("bob");
  ASSERT_TRUE(bob && *bob);
  EXPECT_FALSE((*bob)->uid);
  EXPECT_FALSE(*accounts().GetUser("carol"));
  EXPECT_EQ(accounts().ListUsers()->size(), 2u);
}

TEST_F(AccountStoreTest, ProjectsRoundTripTheirAllocation) {
  EXPECT_FALSE(*accounts().HasProjects());
  const int64_t id = Project("m1", 1234.25);
  EXPECT_TRUE(*accounts().HasProjects());
  auto p = accounts().GetProject("m1");
  ASSERT_TRUE(p && *p);
  EXPECT_EQ((*p)->id, id);
  EXPECT_DOUBLE_EQ((*p)->cpu_hours_given, 1234.25);
  EXPECT_DOUBLE_EQ((*p)->gpu_hours_given, 0.5);
  EXPECT_EQ((*p)->project_dir_bytes, 1 << 30);
  EXPECT_EQ(accounts().AddProject(**p).status().code(), Code::kAlreadyExists);
  ProjectRecord changed = **p;
  changed.cpu_hours_given = 7;
  changed.archive_bytes = 99;
  ASSERT_TRUE(accounts().UpdateProject(changed).ok());
  EXPECT_DOUBLE_EQ((*accounts().GetProject("m1"))->cpu_hours_given, 7);
  EXPECT_EQ((*accounts().GetProject("m1"))->archive_bytes, 99);
  changed.repo_name = "nope";
  EXPECT_EQ(accounts().UpdateProject(changed).code(), Code::kNotFound);
}

TEST_F(AccountStoreTest, MembersHaveOneRoleEach) {
  const int64_t m1 = Project("m1"), m2 = Project("m2");
  ASSERT_TRUE(accounts().SetMember(m1, "alice", "pi").ok());
  ASSERT_TRUE(accounts().SetMember(m1, "bob", "member").ok());
  ASSERT_TRUE(accounts().SetMember(m2, "alice", "member").ok());
  ASSERT_TRUE(accounts().SetMember(m1, "bob", "pi_proxy").ok());  // a new role, not a second row
  auto members = accounts().MembersOf(m1);
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[1].user, "bob");
  EXPECT_EQ((*members)[1].role, "pi_proxy");
  auto of_alice = accounts().ProjectsOf("alice");
  ASSERT_EQ(of_alice->size(), 2u);
  EXPECT_EQ((*of_alice)[0].repo_name, "m1");
  EXPECT_EQ((*of_alice)[0].role, "pi");
  EXPECT_EQ(accounts().RemoveMember(m2, "bob").code(), Code::kNotFound);
  ASSERT_TRUE(accounts().RemoveMember(m2, "alice").ok());
  EXPECT_EQ(accounts().ProjectsOf("alice")->size(), 1u);
}

TEST_F(AccountStoreTest, ChargesAreTheFinishedJobsOfTheAccountPerUser) {
  Project("m1");
  Charge("1", "alice", "m1", 3600, 2);  // 2 node-hours
  Charge("2", "alice", "m1", 1800, 1);
  Charge("3", "bob", "m1", 360, 1);
  Charge("4", "bob", "other", 3600, 1);
  auto rows = accounts().ChargesTo("m1");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].user, "alice");
  EXPECT_EQ((*rows)[0].node_seconds, 2 * 3600 + 1800);
  EXPECT_EQ((*rows)[1].node_seconds, 360);
  EXPECT_TRUE(accounts().ChargesTo("none")->empty());
}

TEST_F(AccountStoreTest, ChargeFactsSumEveryUsersJobsOnceFromTheRunningTotal) {
  Project("m1");
  Charge("1", "alice", "m1", 3600, 2);
  Charge("2", "bob", "m1", 360, 1);
  Charge("3", "bob", "other", 3600, 1);
  // A scheduler reports an end at least once: the second report adds nothing.
  auto recorded =
      store_->compute().RecordUsage(testing::FinishedJobOf("1", "alice", "m1", 99999, 9));
  ASSERT_TRUE(recorded);
  EXPECT_FALSE(*recorded);
  auto facts = accounts().ChargeFactsFor("bob", "m1");
  ASSERT_TRUE(facts) << facts.status().message();
  EXPECT_EQ(facts->node_seconds_charged, 2 * 3600 + 360);
  EXPECT_TRUE(facts->project_exists);
  EXPECT_EQ(accounts().ChargeFactsFor("bob", "other")->node_seconds_charged, 3600);
  EXPECT_EQ(accounts().ChargeFactsFor("bob", "none")->node_seconds_charged, 0);
  // The recount at start (on either database) gives the same totals, however often it runs.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(store_->compute().RecountUsageTotals().ok());
    EXPECT_EQ(accounts().ChargeFactsFor("bob", "m1")->node_seconds_charged, 2 * 3600 + 360);
    EXPECT_EQ(accounts().ChargeFactsFor("bob", "other")->node_seconds_charged, 3600);
  }
}

TEST_F(AccountStoreTest, GroupsKeepSortedMembersAndUniqueGids) {
  const int64_t m1 = Project("m1");
  GroupRecord g{"grp1", 60001, m1, "", true, "alice", Now(), {"bob", "alice"}};
  ASSERT_TRUE(accounts().AddGroup(g).ok());
  EXPECT_EQ(accounts().AddGroup(g).code(), Code::kAlreadyExists);
  g.name = "grp2";
  EXPECT_EQ(accounts().AddGroup(g).code(), Code::kAlreadyExists);  // the gid is taken
  EXPECT_FALSE(*accounts().GetGroup("grp2"));                      // nothing half-written
  auto got = accounts().GetGroup("grp1");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->repo_name, "m1");
  EXPECT_TRUE((*got)->is_unix);
  EXPECT_EQ((*got)->members, (std::vector<std::string>{"alice", "bob"}));
  ASSERT_TRUE(accounts().SetGroupMembers("grp1", {}).ok());
  EXPECT_TRUE((*accounts().GetGroup("grp1"))->members.empty());
  ASSERT_TRUE(accounts().SetGroupMembers("grp1", {"carol"}).ok());
  EXPECT_EQ(accounts().ListGroups()->at(0).members, std::vector<std::string>{"carol"});
}

TEST_F(AccountStoreTest, RemovingAUserOrProjectTakesTheirMembershipsAlong) {
  const int64_t m1 = Project("m1");
  ASSERT_TRUE(accounts().AddUser({"bob", 5, "", "", "", "", "", ""}).ok());
  ASSERT_TRUE(accounts().SetMember(m1, "bob", "member").ok());
  ASSERT_TRUE(accounts().SetMember(m1, "alice", "pi").ok());
  ASSERT_TRUE(accounts().AddGroup({"grp1", 60001, m1, "", false, "alice", Now(), {"bob"}}).ok());
  ASSERT_TRUE(accounts().RemoveUser("bob").ok());
  EXPECT_FALSE(*accounts().GetUser("bob"));
  EXPECT_EQ(accounts().MembersOf(m1)->size(), 1u);
  EXPECT_TRUE((*accounts().GetGroup("grp1"))->members.empty());
  EXPECT_EQ(accounts().RemoveUser("bob").code(), Code::kNotFound);
  ASSERT_TRUE(accounts().RemoveProject("m1").ok());
  EXPECT_FALSE(*accounts().GetGroup("grp1"));
  EXPECT_TRUE(accounts().ProjectsOf("alice")->empty());
  EXPECT_FALSE(*accounts().HasProjects());
  EXPECT_EQ(accounts().RemoveProject("m1").code(), Code::kNotFound);
}

}  // namespace
}  // namespace sfapid
