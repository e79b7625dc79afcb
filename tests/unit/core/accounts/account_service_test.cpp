// The accounts and groups services over real SQLite, with the system's users and groups replaced by
// in-memory ones: the job-submission charge check, seeding from config, group permissions, and
// that a refused or failed group change leaves the store and the Unix groups as they were.
#include "core/accounts/account_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "core/accounts/group_service.h"
#include "store/store.h"
#include "support/fake_users.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

using testing::FakeUsers;

class FakeGroups : public GroupDirectory {
 public:
  std::optional<gid_t> GidOf(const std::string& name) const override {
    auto it = gids.find(name);
    if (it == gids.end()) return std::nullopt;
    return it->second;
  }
  bool GidInUse(gid_t gid) const override {
    for (const auto& [n, g] : gids)
      if (g == gid) return true;
    return false;
  }
  std::optional<std::vector<std::string>> MembersOf(const std::string& name) const override {
    if (!gids.count(name)) return std::nullopt;
    auto it = members.find(name);
    return it == members.end() ? std::vector<std::string>{} : it->second;
  }
  Status Create(const std::string& name, gid_t gid) override {
    if (fail) return Status::Unavailable("groupadd failed");
    gids[name] = gid;
    return Status::Ok();
  }
  Status SetMembers(const std::string& name, const std::vector<std::string>& accounts) override {
    if (fail) return Status::Unavailable("gpasswd failed");
    members[name] = accounts;
    return Status::Ok();
  }
  Status Remove(const std::string& name) override {
    gids.erase(name);
    members.erase(name);
    return Status::Ok();
  }
  std::map<std::string, gid_t> gids{{"sudo", 27}, {"users", 60000}};
  std::map<std::string, std::vector<std::string>> members;
  bool fail = false;
};

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testing::OpenTestStore(dir_ + "/sfapid.db");
    ASSERT_TRUE(s) << s.status().message();
    store_ = std::move(s).value();
    config_.accounts.gid_min = 60000;
    config_.accounts.gid_max = 60002;
    users_.accounts = {{"alice", {"alice", 1001, 1001}},
                       {"bob", {"bob", 1002, 1002}},
                       {"carol", {"carol", 1003, 1003}},
                       {"daemon", {"daemon", 1, 1}}};
    Make(true);
  }
  void TearDown() override {
    accounts_.reset();
    groups_.reset();
    store_.reset();
  }
  void Make(bool real) {
    accounts_.reset();
    groups_ =
        std::make_unique<GroupService>(config_.accounts, store_->accounts(), users_, system_, real);
    accounts_ =
        std::make_unique<AccountService>(config_.accounts, store_->accounts(), users_, *groups_);
  }
  void Project(const std::string& repo, double hours) {
    ProjectRecord p;
    p.repo_name = repo;
    p.description = repo;
    p.cpu_hours_given = hours;
    auto id = accounts_->AddProject(p, "alice");
    ASSERT_TRUE(id) << id.status().message();
    ASSERT_TRUE(accounts_->SetMember(repo, "bob", "member").ok());
  }
  void Charge(const std::string& jobid, const std::string& account, int64_t seconds) {
    FinishedJob j;
    j.system = "perlmutter";
    j.jobid = jobid;
    j.user = "bob";
    j.account = account;
    j.start_time = 1000;
    j.end_time = 1000 + seconds;
    ASSERT_TRUE(store_->compute().RecordUsage(j));
  }

  testing::TempDir tmp_{"account-service"};
  std::string dir_ = tmp_.path();
  Config config_;
  FakeUsers users_{config_.runas};
  FakeGroups system_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<GroupService> groups_;
  std::unique_ptr<AccountService> accounts_;
};

TEST_F(AccountServiceTest, WithoutProjectsEveryAccountMayBeCharged) {
  EXPECT_TRUE(accounts_->CheckCanCharge("bob", "anything").ok());
  EXPECT_TRUE(accounts_->CheckCanCharge("nobody", "default").ok());
}

TEST_F(AccountServiceTest, OnlyMembersMayChargeAProjectWhileItsHoursLast) {
  Project("m1", 1.0);
  EXPECT_TRUE(accounts_->CheckCanCharge("bob", "m1").ok());
  EXPECT_TRUE(accounts_->CheckCanCharge("alice", "m1").ok());
  for (auto [user, account] : {std::pair{"carol", "m1"}, {"bob", "default"}, {"bob", ""}}) {
    Status s = accounts_->CheckCanCharge(user, account);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << user << " " << account;
    EXPECT_EQ(s.message(),
              "sbatch: error: Batch job submission failed: Invalid account or account/partition "
              "combination specified");
  }
  Charge("1", "m1", 1800);
  EXPECT_TRUE(accounts_->CheckCanCharge("bob", "m1").ok());  // half an hour of one left
  Charge("2", "m1", 1800);
  Status s = accounts_->CheckCanCharge("alice", "m1");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "sbatch: error: Batch job submission failed: Job violates accounting/QOS policy (job "
            "submit limit, user's size and/or time limits)");
  ProjectRecord more = *accounts_->Project("m1");
  more.gpu_hours_given = 0.5;  // hours given are CPU and GPU together
  ASSERT_TRUE(accounts_->UpdateProject(more).ok());
  EXPECT_TRUE(accounts_->CheckCanCharge("alice", "m1").ok());
}

TEST_F(AccountServiceTest, ProjectsReportHoursUsedByTheCallerAndByAll) {
  Project("m1", 10);
  Charge("1", "m1", 7200);
  auto bob = accounts_->Projects("bob");
  ASSERT_TRUE(bob);
  ASSERT_EQ(bob->size(), 1u);
  EXPECT_EQ((*bob)[0].role, "member");
  EXPECT_DOUBLE_EQ((*bob)[0].user_hours_used, 2.0);
  EXPECT_DOUBLE_EQ((*bob)[0].project_hours_used, 2.0);
  auto alice = accounts_->Projects("alice");
  EXPECT_DOUBLE_EQ((*alice)[0].user_hours_used, 0.0);
  EXPECT_DOUBLE_EQ((*alice)[0].project_hours_used, 2.0);
  EXPECT_TRUE(accounts_->Projects("carol")->empty());
  EXPECT_EQ(accounts_->Roles("alice")->at(0).membership.role, "pi");
}

TEST_F(AccountServiceTest, SeedingCreatesWhatIsMissingAndChangesNothingElse) {
  ProjectSeedConfig p;
  p.repo_name = "default";
  p.cpu_hours = 100;
  p.pis = {"alice"};
  p.members = {"bob"};
  config_.accounts.projects = {p};
  config_.accounts.users = {{"dave", 4242, "Dave", "", "", "", "", ""}};
  ASSERT_TRUE(accounts_->Seed().ok());
  ASSERT_TRUE(accounts_->SetMember("default", "bob", "pi_proxy").ok());
  ProjectRecord changed = *accounts_->Project("default");
  changed.cpu_hours_given = 5;
  ASSERT_TRUE(accounts_->UpdateProject(changed).ok());
  ASSERT_TRUE(accounts_->Seed().ok());  // a restart
  EXPECT_DOUBLE_EQ(accounts_->Project("default")->cpu_hours_given, 5);
  EXPECT_EQ(accounts_->Roles("bob")->at(0).membership.role, "pi_proxy");
  auto dave = accounts_->User("dave", false);
  ASSERT_TRUE(dave);
  EXPECT_EQ(dave->uid, 4242);
  EXPECT_EQ(dave->details.firstname, "Dave");
}

TEST_F(AccountServiceTest, UsersAreRegisteredOrUnixAccounts) {
  EXPECT_EQ(accounts_->User("alice", false)->uid, 1001);
  EXPECT_EQ(accounts_->User("zed", false).status().code(), Code::kNotFound);
  EXPECT_EQ(accounts_->User("zed", true)->uid, -1);  // the caller always gets an answer
  EXPECT_EQ(accounts_->AddUser({"zed", std::nullopt, "", "", "", "", "", ""}).code(),
            Code::kInvalidArgument);
  ASSERT_TRUE(accounts_->AddUser({"zed", 77, "Zed", "", "", "", "", ""}).ok());
  EXPECT_EQ(accounts_->User("zed", false)->uid, 77);
  EXPECT_EQ(accounts_->SetMember("nope", "zed", "member").code(), Code::kNotFound);
}

TEST(AccountGroupNames, AreShortLowerCaseAscii) {
  EXPECT_EQ(GroupNameProblem("grp_1-a"), "");
  EXPECT_EQ(GroupNameProblem("_x"), "");
  for (const char* bad : {"", "toolongnm", "Upper", "1abc", "a b", "a.b", "gr\xc3\xbcp"})
    EXPECT_NE(GroupNameProblem(bad), "") << bad;
}

TEST_F(AccountServiceTest, GroupsAreManagedByPisAndProxiesOnly) {
  Project("m1", 10);
  auto g = groups_->Create("alice", "grp", "m1");
  ASSERT_TRUE(g) << g.status().message();
  EXPECT_EQ(g->record.gid, 60001);  // 60000 is taken on the system
  EXPECT_TRUE(g->users.empty());
  EXPECT_EQ(system_.gids.at("grp"), 60001u);
  EXPECT_EQ(groups_->Create("bob", "grp2", "m1").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(groups_->Create("alice", "grp", "m1").status().code(), Code::kAlreadyExists);
  EXPECT_EQ(groups_->Create("alice", "sudo", "m1").status().code(), Code::kAlreadyExists);
  EXPECT_EQ(groups_->Create("alice", "grp2", "m9").status().code(), Code::kNotFound);
  EXPECT_EQ(groups_->Get("carol", "grp").status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(groups_->Get("bob", "grp"));  // a project member may look
  EXPECT_EQ(groups_->Update("bob", "grp", {"bob"}, "batch_add").status().code(),
            Code::kPermissionDenied);

  auto added = groups_->Update("alice", "grp", {"bob", "carol"}, "batch_add");
  ASSERT_TRUE(added) << added.status().message();
  ASSERT_EQ(added->users.size(), 2u);
  EXPECT_EQ(added->users[0].name, "bob");
  EXPECT_EQ(added->users[0].uid, 1002);
  EXPECT_EQ(system_.members.at("grp"), (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(groups_->GroupsOf("carol")->size(), 1u);
  EXPECT_EQ(groups_->GroupsOf("alice")->size(), 1u);  // she manages it

  auto removed = groups_->Update("alice", "grp", {"bob", "carol"}, "batch_remove");
  ASSERT_TRUE(removed);
  EXPECT_TRUE(removed->users.empty());
  EXPECT_TRUE(system_.members.at("grp").empty());
  EXPECT_TRUE(groups_->GroupsOf("carol")->empty());
}

TEST_F(AccountServiceTest, ARefusedOrFailedGroupChangeChangesNothing) {
  Project("m1", 10);
  ASSERT_TRUE(groups_->Create("alice", "grp", "m1"));
  ASSERT_TRUE(groups_->Update("alice", "grp", {"bob"}, "batch_add"));
  for (const auto& names : std::vector<std::vector<std::string>>{{"carol", "nosuch"}, {"daemon"}}) {
    Status s = groups_->Update("alice", "grp", names, "batch_add").status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_NE(s.message().find("nothing was changed"), std::string::npos) << s.message();
  }
  EXPECT_EQ(groups_->Update("alice", "grp", {"carol"}, "add").status().code(),
            Code::kInvalidArgument);
  system_.fail = true;
  EXPECT_EQ(groups_->Update("alice", "grp", {"carol"}, "batch_add").status().code(),
            Code::kUnavailable);
  EXPECT_EQ(groups_->Create("alice", "grp2", "m1").status().code(), Code::kUnavailable);
  EXPECT_FALSE(*store_->accounts().GetGroup("grp2"));
  system_.fail = false;
  EXPECT_EQ((*store_->accounts().GetGroup("grp"))->members, std::vector<std::string>{"bob"});
  EXPECT_EQ(system_.members.at("grp"), std::vector<std::string>{"bob"});
}

TEST_F(AccountServiceTest, ReconcileBringsUnixGroupsBackInStep) {
  Project("m1", 10);
  ASSERT_TRUE(groups_->Create("alice", "grp", "m1"));
  ASSERT_TRUE(groups_->Update("alice", "grp", {"bob", "carol"}, "batch_add"));
  system_.gids.erase("grp");
  system_.members.erase("grp");
  ASSERT_TRUE(groups_->Reconcile().ok());
  EXPECT_EQ(system_.gids.at("grp"), 60001u);
  EXPECT_EQ(system_.members.at("grp"), (std::vector<std::string>{"bob", "carol"}));
  // Removing the project deletes its Unix group too.
  ASSERT_TRUE(accounts_->RemoveProject("m1").ok());
  EXPECT_FALSE(system_.gids.count("grp"));
}

TEST_F(AccountServiceTest, StoreOnlyGroupsNeverTouchTheSystem) {
  Make(false);
  Project("m1", 10);
  auto g = groups_->Create("alice", "grp", "m1");
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->record.is_unix);
  ASSERT_TRUE(groups_->Update("alice", "grp", {"bob"}, "batch_add"));
  EXPECT_FALSE(system_.gids.count("grp"));
  EXPECT_FALSE(system_.members.count("grp"));
}

}  // namespace
}  // namespace sfapid

namespace sfapid {
namespace {

TEST(AccountConfig, EmbeddedDefaultPutsTheLocalUserInTheDefaultProject) {
  auto c = LoadDefaultConfig();
  ASSERT_TRUE(c) << c.status().message();
  ASSERT_EQ(c->accounts.projects.size(), 1u);
  const ProjectSeedConfig& p = c->accounts.projects[0];
  EXPECT_EQ(p.repo_name, c->FindSystem("perlmutter")->scheduler.default_account);
  EXPECT_GT(p.cpu_hours, 0);
  ASSERT_EQ(p.pis.size(), 1u);
  EXPECT_NE(p.pis[0], "$USER");  // expanded to the account running sfapid
  EXPECT_TRUE(c->accounts.unix_groups);
}

TEST(AccountConfig, ProjectsAndUsersAreValidated) {
  const std::string systems = "[[systems]]\nname = \"x\"\n";
  auto c = ParseConfig(
      "[[projects]]\nrepo_name = \"m1\"\nproject_dir_quota = \"1.5TiB\"\narchive_quota = 1024\n"
      "pis = [\"a\"]\nmembers = [\"b\"]\n[[users]]\nname = \"a\"\nuid = 5\n" +
          systems,
      "t");
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_EQ(c->accounts.projects[0].project_dir_bytes, 1649267441664);
  EXPECT_EQ(c->accounts.projects[0].archive_bytes, 1024);
  EXPECT_EQ(c->accounts.users[0].uid, 5);
  for (const char* bad :
       {"[[projects]]\nrepo_name = \"m1\"\npis = [\"a\"]\nmembers = [\"a\"]\n",
        "[[projects]]\nrepo_name = \"m1\"\nproject_dir_quota = \"lots\"\n",
        "[[projects]]\nrepo_name = \"m 1\"\n", "[[projects]]\nrepo_name = \"m1\"\nfoo = 1\n",
        "[[projects]]\nrepo_name = \"m1\"\n[[projects]]\nrepo_name = \"m1\"\n",
        "[accounts]\ngid_min = 10\n", "[[users]]\nname = \"a\"\nuid = -1\n"}) {
    auto r = ParseConfig(std::string(bad) + systems, "t");
    EXPECT_FALSE(r) << bad;
  }
}

}  // namespace
}  // namespace sfapid
