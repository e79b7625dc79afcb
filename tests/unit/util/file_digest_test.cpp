// SHA-256 as bytes come and from a file, against sha256sum's answers.
#include "util/file_digest.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

namespace sfapid {
namespace {

constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256Stream, PiecesGiveTheHashOfTheWholeAndResetStartsOver) {
  Sha256Stream h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(h.Hex(), kAbc);
  EXPECT_EQ(h.Hex(), kAbc);  // reading it does not end it
  h.Reset();
  h.Update("abc");
  EXPECT_EQ(h.Hex(), kAbc);
}

TEST(Sha256Stream, FileBytesJoinTheStreamAndAShortFileIsAnError) {
  char path[] = "/tmp/sfapid-digest-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "xbcx", 4), 4);
  Sha256Stream h;
  h.Update("a");
  ASSERT_TRUE(h.UpdateFromFile(fd, 1, 3).ok());
  EXPECT_EQ(h.Hex(), kAbc);
  EXPECT_FALSE(h.UpdateFromFile(fd, 2, 10).ok());
  EXPECT_FALSE(Sha256OfFile(fd, 5).ok());
  ::close(fd);
  ::unlink(path);
}

}  // namespace
}  // namespace sfapid
