// The command lines of checksum, rm, mkdir, ln, mv, cp, chmod and chown: every path after "--",
// mv/cp/ln making the target itself, and the checks of what chmod and chown are given.
#include "core/files/path_commands.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

using Argv = std::vector<std::string>;

TEST(PathCommandsTest, ChecksumIsSha256sumsFirstField) {
  EXPECT_EQ(ChecksumArgv("/p/x"), (Argv{"/usr/bin/sha256sum", "--zero", "--", "/p/x"}));
  const std::string sum = "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4";
  EXPECT_EQ(ParseChecksum(sum + "  /p/a\\nb"), sum);
  EXPECT_FALSE(ParseChecksum("sha256sum: /p: Is a directory"));
  EXPECT_FALSE(ParseChecksum(sum.substr(0, 63)));
  EXPECT_FALSE(ParseChecksum("\\" + sum));  // the escaped form --zero never prints
}

TEST(PathCommandsTest, ChangesPutEveryPathAfterDoubleDash) {
  EXPECT_EQ(RemoveArgv("/p/-rf"), (Argv{"/usr/bin/rm", "--recursive", "--", "/p/-rf"}));
  EXPECT_EQ(MakeDirArgv("/p/d", false), (Argv{"/usr/bin/mkdir", "--", "/p/d"}));
  EXPECT_EQ(MakeDirArgv("/p/d/e", true), (Argv{"/usr/bin/mkdir", "--parents", "--", "/p/d/e"}));
  EXPECT_EQ(SymlinkArgv("/p/t", "/p/l"),
            (Argv{"/usr/bin/ln", "--symbolic", "--no-target-directory", "--", "/p/t", "/p/l"}));
  EXPECT_EQ(MoveArgv("/p/a", "/p/b"),
            (Argv{"/usr/bin/mv", "--no-target-directory", "--", "/p/a", "/p/b"}));
  EXPECT_EQ(CopyArgv("/p/a", "/p/b", false),
            (Argv{"/usr/bin/cp", "--recursive", "--no-target-directory", "--no-dereference", "--",
                  "/p/a", "/p/b"}));
  EXPECT_EQ(CopyArgv("/p/a", "/p/b", true),
            (Argv{"/usr/bin/cp", "--recursive", "--no-target-directory", "--dereference", "--",
                  "/p/a", "/p/b"}));
}

TEST(PathCommandsTest, ModesAreOctal) {
  for (const char* good : {"755", "0", "2770", "0644"}) EXPECT_TRUE(CheckMode(good).ok()) << good;
  for (const char* bad : {"", "u+x", "888", "07777", "-755", "75 5"}) {
    Status s = CheckMode(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.field(), "mode");
  }
  EXPECT_EQ(ChangeModeArgv("/p/x", "750"), (Argv{"/usr/bin/chmod", "--", "750", "/p/x"}));
}

TEST(PathCommandsTest, OwnerAndGroupMakeOneChownSpec) {
  EXPECT_EQ(ChangeOwnerArgv("/p/x", "alice", ""), (Argv{"/usr/bin/chown", "--", "alice", "/p/x"}));
  EXPECT_EQ(ChangeOwnerArgv("/p/x", "alice", "m1234"),
            (Argv{"/usr/bin/chown", "--", "alice:m1234", "/p/x"}));
  EXPECT_EQ(ChangeOwnerArgv("/p/x", "", "m1234"), (Argv{"/usr/bin/chown", "--", ":m1234", "/p/x"}));
  EXPECT_TRUE(CheckOwner("alice", "1000").ok());
  EXPECT_EQ(CheckOwner("alice:root", "").field(), "owner");
  EXPECT_EQ(CheckOwner("", std::string("a\0b", 3)).field(), "group");
}

}  // namespace
}  // namespace sfapid
