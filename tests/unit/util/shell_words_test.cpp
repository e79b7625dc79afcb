#include "util/shell_words.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

TEST(ShellWords, SingleQuotesKeepEverythingAndEscapeQuotes) {
  EXPECT_EQ(SingleQuote(""), "''");
  EXPECT_EQ(SingleQuote("a b"), "'a b'");
  EXPECT_EQ(SingleQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(SingleQuote("$HOME `x` \\ \"q\"\nline"), "'$HOME `x` \\ \"q\"\nline'");
}

TEST(ShellWords, PlainWordsStayBareOthersAreQuoted) {
  EXPECT_EQ(ShellWord("/usr/bin/python3"), "/usr/bin/python3");
  EXPECT_EQ(ShellWord("--n=4,x:y@z%1+2"), "--n=4,x:y@z%1+2");
  EXPECT_EQ(ShellWord(""), "''");
  EXPECT_EQ(ShellWord("a b"), "'a b'");
  EXPECT_EQ(ShellWord("$(rm -rf ~)"), "'$(rm -rf ~)'");
  EXPECT_EQ(ShellWord("*"), "'*'");
  EXPECT_EQ(ShellWord("~"), "'~'");
}

TEST(ShellWords, VariableNames) {
  EXPECT_TRUE(IsShellName("OMP_NUM_THREADS"));
  EXPECT_TRUE(IsShellName("_x1"));
  EXPECT_FALSE(IsShellName(""));
  EXPECT_FALSE(IsShellName("1X"));
  EXPECT_FALSE(IsShellName("A-B"));
  EXPECT_FALSE(IsShellName("A=B"));
  EXPECT_FALSE(IsShellName("A B"));
  EXPECT_FALSE(IsShellName("Ä"));
}

}  // namespace
}  // namespace sfapid
