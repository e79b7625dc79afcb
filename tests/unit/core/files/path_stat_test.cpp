// stat's command lines (numbers only, never the name; -L only when asked) and the reading of what
// they print into PathStat, with the mode's type bits as os.stat_result has them.
#include "core/files/path_stat.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

using Argv = std::vector<std::string>;

TEST(PathStatTest, StatPrintsNumbersOnlyAndDereferencesOnlyWhenAsked) {
  EXPECT_EQ(StatArgv("/p/-x", false),
            (Argv{"/usr/bin/stat", "--format=%f %i %d %h %u %g %s %X %Y %Z", "--", "/p/-x"}));
  EXPECT_EQ(StatArgv("/p/x", true), (Argv{"/usr/bin/stat", "--dereference",
                                          "--format=%f %i %d %h %u %g %s %X %Y %Z", "--", "/p/x"}));
}

TEST(PathStatTest, TheOutputIsReadInStatsOrder) {
  // atime (%X), mtime (%Y), ctime (%Z) as stat prints them.
  auto s = ParseStat("81a4 64317775 50 1 26191 1000 8 1689669477 1685517840 1685517841\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, (PathStat{.mode = 0100644,
                          .ino = 64317775,
                          .dev = 50,
                          .nlink = 1,
                          .uid = 26191,
                          .gid = 1000,
                          .size = 8,
                          .atime = 1689669477,
                          .ctime = 1685517841,
                          .mtime = 1685517840}));
}

TEST(PathStatTest, AnInodeBeyondInt64KeepsItsBits) {
  auto s = ParseStat("41ed 18446744073709551615 50 2 0 0 4096 1 2 3");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ino, -1);
  EXPECT_EQ(s->mode, 040755);
}

TEST(PathStatTest, AnythingElseIsRefused) {
  EXPECT_FALSE(ParseStat(""));
  EXPECT_FALSE(ParseStat("81a4 1 2 3 4 5 6 7 8"));       // nine fields
  EXPECT_FALSE(ParseStat("81a4 1 2 3 4 5 6 7 8 9 10"));  // eleven
  EXPECT_FALSE(ParseStat("xyz 1 2 3 4 5 6 7 8 9"));      // mode not hex
  EXPECT_FALSE(ParseStat("81a4 1 2 3 4 5 6 7 8 9x"));    // trailing junk
  EXPECT_FALSE(ParseStat("81a4  1 2 3 4 5 6 7 8 9"));    // an empty field
}

TEST(PathStatTest, TheTypeIsFilesWords) {
  EXPECT_EQ(TypeArgv("/p/x"), (Argv{"/usr/bin/file", "--brief", "--", "/p/x"}));
  EXPECT_EQ(ParseType("directory\n"), "directory");
  EXPECT_EQ(ParseType("regular empty file\n"), "regular empty file");
}

}  // namespace
}  // namespace sfapid
