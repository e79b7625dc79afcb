// The caller's storage locations: the defaults from their home and projects, configured paths
// filled in and expanded over projects, the project, logical-name and intent filters, and the
// access of each path, over real folders in a temporary folder and a real SQLite store.
#include "core/files/storage_locations.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/accounts/group_directory.h"
#include "core/accounts/group_service.h"
#include "support/fake_run_as.h"
#include "support/fake_users.h"
#include "support/temp_dir.h"
#include "support/test_store.h"
#include "support/test_systems.h"

namespace sfapid {
namespace {

class StorageLocationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"alice", "carol"})
      users_.accounts[name] = UnixAccount{name, 1001, 1001, "/bin/bash"};
    std::filesystem::create_directories(dir_ / "home/alice");
    std::filesystem::create_directories(dir_ / "proj/p1");
    std::filesystem::create_directories(dir_ / "arch/p1");
    ::chmod((dir_ / "arch/p1").c_str(), 0555);  // the archive is read-only here
    runas_.AddUser("alice", "alice-unix", dir_ / "home/alice");
    AddProject("p1", "alice", dir_ / "proj/p1", dir_ / "arch/p1");
    AddProject("p2", "alice", dir_ / "proj/p2", "");  // its folder was never made
    AddProject("p3", "carol", dir_ / "proj/p3", dir_ / "arch/p3");
  }
  void AddProject(const std::string& repo, const std::string& pi, const std::string& dir,
                  const std::string& archive) {
    ProjectRecord p;
    p.repo_name = repo;
    p.project_dir = dir;
    p.archive_dir = archive;
    auto added = accounts_.AddProject(p, pi);
    ASSERT_TRUE(added) << added.status().message();
  }
  std::vector<StorageLocation> For(const std::string& system, const LocationQuery& q = {}) {
    auto got = storage_.For("alice", system, q);
    EXPECT_TRUE(got) << got.status().message();
    return got ? *got : std::vector<StorageLocation>{};
  }
  static std::vector<std::string> Paths(const std::vector<StorageLocation>& locations) {
    std::vector<std::string> out;
    for (const auto& l : locations) out.push_back(l.logical_name + " " + l.path);
    return out;
  }

  testing::TempDir dir_{"storage"};
  std::vector<SystemConfig> systems_ = testing::TestSystems();
  Config config_;
  testing::TestStore store_;
  testing::FakeUsers users_{config_.runas};
  UnixGroupDirectory groups_directory_;
  GroupService groups_{config_.accounts, store_->accounts(), users_, groups_directory_, false};
  AccountService accounts_{config_.accounts, store_->accounts(), users_, groups_};
  testing::FakeRunAs runas_;
  StorageLocations storage_{systems_, runas_, accounts_};
};

TEST_F(StorageLocationsTest, WithoutConfiguredLocationsTheHomeAndProjectFoldersAreListed) {
  const auto got = For("dtns");
  EXPECT_EQ(Paths(got), (std::vector<std::string>{
                            "home " + dir_ / "home/alice", "project " + dir_ / "proj/p1",
                            "project " + dir_ / "proj/p2", "archive " + dir_ / "arch/p1"}));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_FALSE(got[0].shared);
  EXPECT_FALSE(got[0].project);
  EXPECT_EQ(got[0].access, (PathAccess{true, true, true}));
  EXPECT_TRUE(got[1].shared);
  EXPECT_EQ(got[1].project, "p1");
  EXPECT_EQ(got[2].access, PathAccess{});  // missing: nothing
  EXPECT_EQ(got[3].performance_tier, "tape");
  EXPECT_TRUE(got[3].shared);
  EXPECT_EQ(got[3].access, (PathAccess{true, false, true}));
}

TEST_F(StorageLocationsTest, ConfiguredPathsAreFilledInAndExpandedOverTheCallersProjects) {
  systems_[0].locations = {
      {.logical_name = "home", .path = "{home}"},
      {.logical_name = "scratch",
       .path = "/pscratch/sd/{user}",
       .filesystem = "lustre",
       .performance_tier = "high",
       .purge_policy_days = 56},
      {.logical_name = "campaign", .path = dir_ / "cfs/{project}/{user}", .shared = true}};
  const auto got = For("perlmutter");
  EXPECT_EQ(Paths(got), (std::vector<std::string>{"home " + dir_ / "home/alice",
                                                  "scratch /pscratch/sd/alice-unix",
                                                  "campaign " + dir_ / "cfs/p1/alice-unix",
                                                  "campaign " + dir_ / "cfs/p2/alice-unix"}));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[1].filesystem, "lustre");
  EXPECT_EQ(got[1].performance_tier, "high");
  EXPECT_EQ(got[1].purge_policy_days, 56);
  EXPECT_FALSE(got[1].project);
  EXPECT_EQ(got[3].project, "p2");
  EXPECT_TRUE(got[3].shared);
}

TEST_F(StorageLocationsTest, AProjectKeepsItsOwnScopedLocationsAndTheUnscopedOnes) {
  EXPECT_EQ(Paths(For("dtns", {.project = "p1"})),
            (std::vector<std::string>{"home " + dir_ / "home/alice", "project " + dir_ / "proj/p1",
                                      "archive " + dir_ / "arch/p1"}));
  auto refused = storage_.For("alice", "dtns", {.project = "p3"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied);
  refused = storage_.For("alice", "dtns", {.project = "nosuch"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), Code::kPermissionDenied);
}

TEST_F(StorageLocationsTest, ALogicalNameFiltersAndOneWithNothingLeftIsNotFound) {
  EXPECT_EQ(Paths(For("dtns", {.logical_name = "archive"})),
            (std::vector<std::string>{"archive " + dir_ / "arch/p1"}));
  auto none = storage_.For("alice", "dtns", {.logical_name = "scratch"});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().code(), Code::kNotFound);
  // Nothing left after the intent counts as no match too (as the reference implementation).
  none =
      storage_.For("alice", "dtns", {.logical_name = "archive", .intent = StorageIntent::kStaging});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().code(), Code::kNotFound);
}

TEST_F(StorageLocationsTest, TheIntentChoosesAmongTheLocations) {
  EXPECT_EQ(Paths(For("dtns", {.intent = StorageIntent::kRead})), Paths(For("dtns")));
  EXPECT_EQ(
      Paths(For("dtns", {.intent = StorageIntent::kWrite})),
      (std::vector<std::string>{"home " + dir_ / "home/alice", "project " + dir_ / "proj/p1"}));
  EXPECT_EQ(Paths(For("dtns", {.intent = StorageIntent::kStaging})),
            (std::vector<std::string>{"home " + dir_ / "home/alice", "project " + dir_ / "proj/p1",
                                      "project " + dir_ / "proj/p2"}));
  EXPECT_EQ(Paths(For("dtns", {.intent = StorageIntent::kLongTermStorage})),
            (std::vector<std::string>{"archive " + dir_ / "arch/p1"}));
}

TEST_F(StorageLocationsTest, OnlySystemsWithFilesAndUsersWithAnAccountHaveLocations) {
  for (const char* system : {"spin", "nosuch"}) {
    auto got = storage_.For("alice", system, {});
    ASSERT_FALSE(got) << system;
    EXPECT_EQ(got.status().code(), Code::kNotFound) << system;
  }
  auto got = storage_.For("carol", "dtns", {});  // no Unix account to act as
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), Code::kPermissionDenied);
}

}  // namespace
}  // namespace sfapid
