// tar's and find's command lines for compress and extract: the source split into the folder tar
// enters and the name the archive holds, match_pattern checked then applied by find, the names it
// selects bounded, and the archive never taken for a remote one or an option.
#include "core/files/archive_commands.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

using Argv = std::vector<std::string>;

TEST(ArchiveCommandsTest, TheSourceIsStoredUnderItsOwnName) {
  auto s = SplitArchiveSource("/p/data//");
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_EQ(s->path, "/p/data");
  EXPECT_EQ(s->parent, "/p");
  EXPECT_EQ(s->name, "data");
  auto top = SplitArchiveSource("/data");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->parent, "/");
  EXPECT_EQ(top->name, "data");
}

TEST(ArchiveCommandsTest, ASourceWithoutANameIsRefused) {
  for (const char* bad : {"/", "/p/.", "/p/..", "//"}) {
    auto s = SplitArchiveSource(bad);
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.status().message().find("has no name"), std::string::npos);
  }
}

TEST(ArchiveCommandsTest, CompressNamesTheSourceAfterDoubleDash) {
  const ArchiveSource s{"/p/-data", "/p", "-data"};
  EXPECT_EQ(CompressArgv("/p/a:b.tgz", s, {}, false, Compression::kGzip),
            (Argv{"/usr/bin/tar", "--create", "--gzip", "--force-local", "--file=/p/a:b.tgz",
                  "--directory=/p", "--", "-data"}));
  EXPECT_EQ(CompressArgv("/p/a.tar", s, {}, true, Compression::kNone),
            (Argv{"/usr/bin/tar", "--create", "--force-local", "--file=/p/a.tar", "--dereference",
                  "--directory=/p", "--", "-data"}));
  EXPECT_EQ(CompressArgv("/p/a.tbz", s, {}, false, Compression::kBzip2)[2], "--bzip2");
  EXPECT_EQ(CompressArgv("/p/a.txz", s, {}, false, Compression::kXz)[2], "--xz");
}

TEST(ArchiveCommandsTest, SelectedNamesAreArchivedWithoutRecursion) {
  const ArchiveSource s{"/p/data", "/p", "data"};
  EXPECT_EQ(CompressArgv("/p/a.tgz", s, {"data/x.txt", "data/s/y.txt"}, false, Compression::kGzip),
            (Argv{"/usr/bin/tar", "--create", "--gzip", "--force-local", "--file=/p/a.tgz",
                  "--no-recursion", "--directory=/p", "--", "data/x.txt", "data/s/y.txt"}));
}

TEST(ArchiveCommandsTest, ExtractIsIntoTheFolderAsTheUser) {
  EXPECT_EQ(ExtractArgv("/p/a.tgz", "/p/out", Compression::kGzip),
            (Argv{"/usr/bin/tar", "--extract", "--gzip", "--force-local", "--file=/p/a.tgz",
                  "--no-same-owner", "--directory=/p/out"}));
}

TEST(ArchiveCommandsTest, PatternsAreExtendedRegexes) {
  EXPECT_TRUE(CheckMatchPattern(".*\\.txt$").ok());
  EXPECT_TRUE(CheckMatchPattern("(a|b)+/[0-9]{2}").ok());
  for (const std::string& bad : std::vector<std::string>{
           "(", "a{2", "[z-a]", std::string(1025, 'a'), std::string("a\0", 2)}) {
    Status s = CheckMatchPattern(bad);
    EXPECT_EQ(s.field(), "match_pattern") << bad;
  }
}

TEST(ArchiveCommandsTest, FindSelectsNonFoldersWhosePathMatches) {
  const ArchiveSource s{"/p/data", "/p", "data"};
  EXPECT_EQ(MatchArgv(s, "-.*", false),
            (Argv{"/usr/bin/find", "--", "/p/data", "-regextype", "posix-extended", "!", "-type",
                  "d", "-regex", "-.*", "-print0"}));
  EXPECT_EQ(MatchArgv(s, ".*", true)[1], "-L");
}

TEST(ArchiveCommandsTest, FoundPathsBecomeNamesBelowTheParent) {
  const ArchiveSource s{"/p/data", "/p", "data"};
  auto names = ArchiveNames(std::string("/p/data/x.txt\0/p/data/s/-y\0", 27), s);
  ASSERT_TRUE(names) << names.status().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"data/x.txt", "data/s/-y"}));
  // A file source matches as itself.
  const ArchiveSource file{"/p/x.txt", "/p", "x.txt"};
  auto one = ArchiveNames(std::string("/p/x.txt\0", 9), file);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, (std::vector<std::string>{"x.txt"}));
}

TEST(ArchiveCommandsTest, NoMatchOrTooManyNamesIsAnError) {
  const ArchiveSource s{"/p/data", "/p", "data"};
  auto none = ArchiveNames("", s);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().message(), "compress: nothing under /p/data matches match_pattern");
  std::string many;
  for (int i = 0; i < 40000; ++i) {
    many += "/p/data/file-number-";
    many += std::to_string(i);
    many += '\0';
  }
  auto over = ArchiveNames(many, s);
  ASSERT_FALSE(over);
  EXPECT_NE(over.status().message().find("more than 1 MiB of names"), std::string::npos);
}

}  // namespace
}  // namespace sfapid
