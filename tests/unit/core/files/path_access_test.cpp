// access(2)'s decision from a stat: one permission class, search on every folder above, and the
// caller's groups. Pure cases first, then real files in a temporary folder.
#include "core/files/path_access.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "support/temp_dir.h"

namespace sfapid {
namespace {

const AccessIds kAlice{1001, 2001, {2001, 3000}};

TEST(ModeAccess, TheOwnersBitsAloneCountForTheOwner) {
  EXPECT_EQ(ModeAccess(0700, 1001, 9, kAlice), (PathAccess{true, true, true}));
  // The group and others may read, the owner may not: access(2) refuses the owner.
  EXPECT_EQ(ModeAccess(0044, 1001, 2001, kAlice), (PathAccess{false, false, false}));
}

TEST(ModeAccess, ThePrimaryOrASupplementaryGroupTakesTheGroupBits) {
  EXPECT_EQ(ModeAccess(0750, 1, 2001, kAlice), (PathAccess{true, false, true}));
  EXPECT_EQ(ModeAccess(0770, 1, 3000, kAlice), (PathAccess{true, true, true}));
  // In the group, so the others' bits do not count.
  EXPECT_EQ(ModeAccess(0707, 1, 3000, kAlice), (PathAccess{false, false, false}));
}

TEST(ModeAccess, EveryoneElseTakesTheOthersBits) {
  EXPECT_EQ(ModeAccess(0775, 1, 4000, kAlice), (PathAccess{true, false, true}));
  EXPECT_EQ(ModeAccess(01777, 1, 4000, kAlice), (PathAccess{true, true, true}));  // sticky /tmp
  EXPECT_EQ(ModeAccess(0770, 1, 4000, kAlice), (PathAccess{false, false, false}));
}

class AccessOfTest : public ::testing::Test {
 protected:
  // This process's own ids: the files the test makes are its own.
  AccessIds me_{::getuid(), ::getgid(), {::getgid()}};
  testing::TempDir dir_{"access"};
};

TEST_F(AccessOfTest, AFileOfTheCallersOwnIsReadFromItsMode) {
  const std::string file = dir_ / "data";
  std::ofstream(file) << "x";
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  EXPECT_EQ(AccessOf(file, me_), (PathAccess{true, true, false}));
  ASSERT_EQ(::chmod(file.c_str(), 0500), 0);
  EXPECT_EQ(AccessOf(file, me_), (PathAccess{true, false, true}));
  EXPECT_EQ(AccessOf(dir_.path(), me_), (PathAccess{true, true, true}));
}

TEST_F(AccessOfTest, AMissingPathHasNoAccess) {
  EXPECT_EQ(AccessOf(dir_ / "missing", me_), PathAccess{});
  EXPECT_EQ(AccessOf(dir_ / "missing/deeper", me_), PathAccess{});
}

TEST_F(AccessOfTest, AFolderAboveThatCannotBeSearchedHidesThePath) {
  const std::string outer = dir_ / "outer";
  ASSERT_EQ(::mkdir(outer.c_str(), 0700), 0);
  const std::string inner = outer + "/inner";
  ASSERT_EQ(::mkdir(inner.c_str(), 0700), 0);
  EXPECT_EQ(AccessOf(inner, me_), (PathAccess{true, true, true}));
  ASSERT_EQ(::chmod(outer.c_str(), 0600), 0);  // readable, not searchable
  EXPECT_EQ(AccessOf(inner, me_), PathAccess{});
  ASSERT_EQ(::chmod(outer.c_str(), 0700), 0);  // so that TempDir can remove it
}

// A link of the user's own into a folder they cannot search: as if missing, not the target's
// mode read as root (which told whether any path behind a closed folder existed).
TEST_F(AccessOfTest, ALinkIntoAFolderThatCannotBeSearchedHidesItsTarget) {
  const std::string closed = dir_ / "closed";
  ASSERT_EQ(::mkdir(closed.c_str(), 0700), 0);
  const std::string target = closed + "/target";
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  const std::string link = dir_ / "link";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_EQ(AccessOf(link, me_), (PathAccess{true, true, true}));
  ASSERT_EQ(::chmod(closed.c_str(), 0600), 0);  // readable, not searchable
  EXPECT_EQ(AccessOf(link, me_), PathAccess{});
  EXPECT_EQ(AccessOf(dir_ / "link/deeper", me_), PathAccess{});
  ASSERT_EQ(::chmod(closed.c_str(), 0700), 0);  // so that TempDir can remove it
}

TEST_F(AccessOfTest, AnotherUsersFileTakesTheOthersBits) {
  const std::string file = dir_ / "data";
  std::ofstream(file) << "x";
  ASSERT_EQ(::chmod(file.c_str(), 0604), 0);
  const AccessIds stranger{me_.uid + 1, me_.gid + 1, {me_.gid + 1}};
  // The temporary folder is 0700: a stranger cannot get through it.
  EXPECT_EQ(AccessOf(file, stranger), PathAccess{});
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0701), 0);
  EXPECT_EQ(AccessOf(file, stranger), (PathAccess{true, false, false}));
}

TEST(AccessIdsOf, TheAccountsGroupsIncludeItsPrimaryGroup) {
  const passwd* pw = ::getpwuid(::getuid());
  ASSERT_NE(pw, nullptr);
  const AccessIds ids = AccessIdsOf({"me", pw->pw_name, pw->pw_uid, pw->pw_gid, pw->pw_dir});
  EXPECT_EQ(ids.uid, pw->pw_uid);
  EXPECT_EQ(ids.gid, pw->pw_gid);
  EXPECT_NE(std::find(ids.groups.begin(), ids.groups.end(), pw->pw_gid), ids.groups.end());
}

}  // namespace
}  // namespace sfapid
