// Opening a user's file for the server (as the user's worker does): an upload's part file is made
// once and then only ever reopened as that same file; what is put in its place is refused.
#include "backends/runas/open_inside.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sfapid::fileops {
namespace {

class OpenInsideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/open-inside-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    roots_ = {dir_};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string At(const std::string& name) const { return dir_ + "/" + name; }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(At(name)) << text;
  }
  std::string dir_;
  std::vector<std::string> roots_;
};

TEST_F(OpenInsideTest, APartIsMadeOnceAndThenReopened) {
  auto made = OpenInside(At(".f.part"), roots_, OpenIntent::kNewPart);
  ASSERT_TRUE(made) << made.status().message();
  EXPECT_EQ(made->st.st_mode & 0777, 0600u);
  auto again = OpenInside(At(".f.part"), roots_, OpenIntent::kNewPart);
  ASSERT_FALSE(again);  // it exists: never taken over
  auto reopened = OpenInside(At(".f.part"), roots_, OpenIntent::kPart);
  ASSERT_TRUE(reopened) << reopened.status().message();
  EXPECT_EQ(reopened->st.st_ino, made->st.st_ino);
}

TEST_F(OpenInsideTest, AMissingPartIsNotMadeAgainWhenReopening) {
  auto missing = OpenInside(At(".gone.part"), roots_, OpenIntent::kPart);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(At(".gone.part")));
}

TEST_F(OpenInsideTest, AFifoInThePartsPlaceIsRefusedWithoutWaiting) {
  ASSERT_EQ(::mkfifo(At(".f.part").c_str(), 0600), 0);
  auto opened = OpenInside(At(".f.part"), roots_, OpenIntent::kPart);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(CommitPart(At(".f.part"), At("f"), roots_).ok());
  EXPECT_FALSE(std::filesystem::exists(At("f")));
}

TEST_F(OpenInsideTest, AHardLinkInThePartsPlaceIsRefused) {
  Write("other", "someone's data");
  ASSERT_EQ(::link(At("other").c_str(), At(".f.part").c_str()), 0);
  auto opened = OpenInside(At(".f.part"), roots_, OpenIntent::kPart);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.status().code(), Code::kPermissionDenied);
  EXPECT_FALSE(CommitPart(At(".f.part"), At("f"), roots_).ok());
  EXPECT_FALSE(std::filesystem::exists(At("f")));
}

TEST_F(OpenInsideTest, ASymlinkInThePartsPlaceIsRefused) {
  Write("other", "x");
  ASSERT_EQ(::symlink(At("other").c_str(), At(".f.part").c_str()), 0);
  EXPECT_FALSE(OpenInside(At(".f.part"), roots_, OpenIntent::kPart));
  EXPECT_FALSE(OpenInside(At(".f.part"), roots_, OpenIntent::kNewPart));
  EXPECT_FALSE(CommitPart(At(".f.part"), At("f"), roots_).ok());
}

TEST_F(OpenInsideTest, ANameTooLongIsABadRequest) {
  auto opened = OpenInside(At(std::string(300, 'x')), roots_, OpenIntent::kNewPart);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.status().code(), Code::kInvalidArgument) << opened.status().message();
}

TEST_F(OpenInsideTest, CommittingPutsThePartInPlaceWithTheNewFileMode) {
  ASSERT_TRUE(OpenInside(At(".f.part"), roots_, OpenIntent::kNewPart));
  const mode_t old = ::umask(022);
  ASSERT_TRUE(CommitPart(At(".f.part"), At("f"), roots_).ok());
  ::umask(old);
  struct stat st;
  ASSERT_EQ(::stat(At("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_FALSE(std::filesystem::exists(At(".f.part")));
}

}  // namespace
}  // namespace sfapid::fileops
