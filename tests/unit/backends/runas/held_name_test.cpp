// The roots check and the use are one: a symlink flipped between a folder inside the roots and
// one outside, as fast as a thread can, never lets a read, a listing, a write or a copy reach the
// outside folder (the check-then-use window the worker had before). Symlinks between roots still
// work; magic links are never followed.
#include "backends/runas/held_name.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "backends/runas/file_copy.h"
#include "backends/runas/file_ops.h"

namespace sfapid::fileops {
namespace {

namespace fs = std::filesystem;

class HeldNameTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/held-name-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    root_ = base_ + "/root";
    other_root_ = base_ + "/scratch";
    outside_ = base_ + "/outside";
    for (const auto& d : {root_, root_ + "/in", other_root_, outside_}) fs::create_directory(d);
    Put(root_ + "/in/secret", "inside");
    Put(outside_ + "/secret", "outside");
    roots_ = {root_, other_root_};
  }
  void TearDown() override {
    flipping_ = false;
    if (flipper_.joinable()) flipper_.join();
    fs::remove_all(base_);
  }
  static void Put(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string Get(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // root/link points at root/in, then at outside, then back, until the test ends; each change is
  // one atomic rename, as an attacker would do it. Returns once the link is there: on a busy
  // machine the thread may start late, and a test's every request would find no link at all.
  void StartFlipping() {
    flipping_ = true;
    flipper_ = std::thread([this] {
      const std::string link = root_ + "/link", temp = root_ + "/link.next";
      for (bool inside = true; flipping_; inside = !inside) {
        ::unlink(temp.c_str());
        if (::symlink((inside ? root_ + "/in" : outside_).c_str(), temp.c_str()) == 0)
          ::rename(temp.c_str(), link.c_str());
      }
    });
    while (!fs::is_symlink(root_ + "/link")) std::this_thread::yield();
  }
  // At least kRounds requests, and more while none went through the inside state yet (the
  // flipper may sit descheduled on the outside state for a while): at most 100 times as many.
  static bool MoreRounds(int done, bool through_inside) {
    return done < kRounds || (!through_inside && done < 100 * kRounds);
  }
  static constexpr int kRounds = 3000;
  std::string base_, root_, other_root_, outside_;
  std::vector<std::string> roots_;
  std::atomic<bool> flipping_{false};
  std::thread flipper_;
};

TEST_F(HeldNameTest, AReadRacingAFlippedSymlinkNeverReachesOutside) {
  StartFlipping();
  int inside = 0;
  for (int i = 0; MoreRounds(i, inside > 0); ++i) {
    auto data = Read(root_ + "/link/secret", roots_, 1024);
    if (data) {
      ASSERT_EQ(*data, "inside");
      ++inside;
    } else {
      EXPECT_NE(data.status().code(), Code::kOk);
    }
  }
  EXPECT_GT(inside, 0);  // the race ran both ways: reads through the inside state succeed
}

TEST_F(HeldNameTest, AListingRacingAFlippedSymlinkNeverShowsOutside) {
  Put(outside_ + "/only-outside", "x");
  StartFlipping();
  for (int i = 0; i < kRounds; ++i) {
    auto entries = List(root_ + "/link/", roots_);
    if (!entries) continue;
    for (const auto& e : *entries) ASSERT_NE(e.name, "only-outside");
  }
}

TEST_F(HeldNameTest, AWriteRacingAFlippedSymlinkNeverLandsOutside) {
  StartFlipping();
  for (int i = 0; MoreRounds(i, fs::exists(root_ + "/in/written")); ++i)
    (void)Write(root_ + "/link/written", "data", roots_);
  flipping_ = false;
  flipper_.join();
  EXPECT_EQ(Get(root_ + "/in/written"), "data");
  EXPECT_EQ(std::distance(fs::directory_iterator(outside_), fs::directory_iterator()), 1)
      << "only the outside folder's own file is there";
}

TEST_F(HeldNameTest, ACopyRacingAFlippedSymlinkNeverReadsOrWritesOutside) {
  Put(root_ + "/copy", "inside");
  StartFlipping();
  for (int i = 0; i < kRounds / 10; ++i) {
    (void)CopyFile(root_ + "/link/secret", roots_, root_ + "/copy", roots_, [](int64_t) {});
    ASSERT_EQ(Get(root_ + "/copy"), "inside");
    (void)CopyFile(root_ + "/in/secret", roots_, root_ + "/link/copied", roots_, [](int64_t) {});
  }
  flipping_ = false;
  flipper_.join();
  EXPECT_FALSE(fs::exists(outside_ + "/copied"));
  EXPECT_EQ(std::distance(fs::directory_iterator(outside_), fs::directory_iterator()), 1);
}

TEST_F(HeldNameTest, ASymlinkFromOneRootIntoAnotherWorks) {
  Put(other_root_ + "/data", "on scratch");
  fs::create_symlink(other_root_, root_ + "/scratch");
  auto data = Read(root_ + "/scratch/data", roots_, 1024);
  ASSERT_TRUE(data) << data.status().message();
  EXPECT_EQ(*data, "on scratch");
  ASSERT_TRUE(Write(root_ + "/scratch/new", "made", roots_).ok());
  EXPECT_EQ(Get(other_root_ + "/new"), "made");
}

TEST_F(HeldNameTest, ASymlinkOutOfTheRootsIsRefusedForEveryUse) {
  fs::create_symlink(outside_ + "/secret", root_ + "/leak");
  fs::create_symlink(outside_, root_ + "/away");
  auto read = Read(root_ + "/leak", roots_, 1024);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.status().code(), Code::kPermissionDenied);
  EXPECT_FALSE(List(root_ + "/leak", roots_));
  EXPECT_FALSE(List(root_ + "/away/", roots_));
  EXPECT_FALSE(Write(root_ + "/leak", "overwritten", roots_).ok());
  EXPECT_FALSE(Write(root_ + "/away/new", "made", roots_).ok());
  EXPECT_FALSE(CopyFile(root_ + "/leak", roots_, root_ + "/c", roots_, [](int64_t) {}).ok());
  EXPECT_FALSE(
      CopyFile(root_ + "/in/secret", roots_, root_ + "/away/c", roots_, [](int64_t) {}).ok());
  EXPECT_FALSE(
      CopyFile(root_ + "/in/secret", roots_, root_ + "/away/made/c", roots_, [](int64_t) {}).ok());
  EXPECT_EQ(Get(outside_ + "/secret"), "outside");
  EXPECT_FALSE(fs::exists(outside_ + "/new"));
  EXPECT_FALSE(fs::exists(outside_ + "/c"));
  EXPECT_FALSE(fs::exists(outside_ + "/made"));
}

TEST_F(HeldNameTest, ARootThatIsItselfASymlinkCanBeListed) {
  fs::create_symlink(root_, base_ + "/home");
  auto entries = List(base_ + "/home", {base_ + "/home"});
  ASSERT_TRUE(entries) << entries.status().message();
  bool saw_in = false;
  for (const auto& e : *entries) saw_in |= e.name == "in";
  EXPECT_TRUE(saw_in);
}

TEST_F(HeldNameTest, AMagicLinkIsNeverFollowed) {
  // /proc/self/cwd is inside the roots here, so only the magic-link rule can refuse it.
  const fs::path was = fs::current_path();
  fs::current_path(root_ + "/in");
  fs::create_symlink("/proc/self/cwd/secret", root_ + "/magic");
  auto read = Read(root_ + "/magic", roots_, 1024);
  fs::current_path(was);
  ASSERT_FALSE(read) << "read through a magic link: " << *read;
  EXPECT_NE(read.status().message().find("symbolic links"), std::string::npos)
      << read.status().message();
}

TEST_F(HeldNameTest, MissingFoldersAreMadeOneByOneInsideTheRoots) {
  auto made = HoldFolderMaking(root_ + "/a/b/c", roots_);
  ASSERT_TRUE(made) << made.status().message();
  EXPECT_EQ(PathOfFd(made->get()), root_ + "/a/b/c");
  EXPECT_FALSE(HoldFolderMaking(outside_ + "/a", roots_));
  EXPECT_FALSE(fs::exists(outside_ + "/a"));
  auto dots = HoldFolderMaking(root_ + "/x/../y", roots_);
  ASSERT_FALSE(dots);
  EXPECT_EQ(dots.status().code(), Code::kInvalidArgument);
}

TEST_F(HeldNameTest, APathNamingAFolderItselfIsHeldAsDot) {
  auto held = HoldName(root_ + "/in/..", roots_);
  ASSERT_TRUE(held) << held.status().message();
  EXPECT_EQ(held->name, ".");
  EXPECT_EQ(held->real, root_);
  auto up = HoldName(root_ + "/..", roots_);
  ASSERT_FALSE(up);
  EXPECT_EQ(up.status().code(), Code::kPermissionDenied);
}

}  // namespace
}  // namespace sfapid::fileops
