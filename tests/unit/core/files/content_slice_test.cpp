// head, tail, wc and dd command lines for FileContent, the checks of what they are asked, and
// where the part they print lies in the file (start and end positions, in bytes or lines).
#include "core/files/content_slice.h"

#include <gtest/gtest.h>

#include <limits>

namespace sfapid {
namespace {

using Argv = std::vector<std::string>;

TEST(ContentSliceTest, HeadTakesTheFirstNOrAllButTheLastN) {
  EXPECT_EQ(HeadArgv("/p/x", {.bytes = 10}), (Argv{"/usr/bin/head", "--bytes=10", "--", "/p/x"}));
  EXPECT_EQ(HeadArgv("/p/x", {.lines = 3}), (Argv{"/usr/bin/head", "--lines=3", "--", "/p/x"}));
  EXPECT_EQ(HeadArgv("/p/x", {.bytes = 10, .skip = true}),
            (Argv{"/usr/bin/head", "--bytes=-10", "--", "/p/x"}));
  EXPECT_EQ(HeadArgv("/p/x", {.lines = 3, .skip = true}),
            (Argv{"/usr/bin/head", "--lines=-3", "--", "/p/x"}));
}

TEST(ContentSliceTest, TailTakesTheLastNOrAllButTheFirstN) {
  EXPECT_EQ(TailArgv("/p/x", {.bytes = 10}), (Argv{"/usr/bin/tail", "--bytes=10", "--", "/p/x"}));
  EXPECT_EQ(TailArgv("/p/x", {.lines = 3}), (Argv{"/usr/bin/tail", "--lines=3", "--", "/p/x"}));
  // tail's +K starts at the Kth: skipping N starts at N + 1.
  EXPECT_EQ(TailArgv("/p/x", {.bytes = 10, .skip = true}),
            (Argv{"/usr/bin/tail", "--bytes=+11", "--", "/p/x"}));
  EXPECT_EQ(TailArgv("/p/x", {.lines = 3, .skip = true}),
            (Argv{"/usr/bin/tail", "--lines=+4", "--", "/p/x"}));
  EXPECT_EQ(TailArgv("/p/x", {.bytes = std::numeric_limits<int64_t>::max(), .skip = true})[1],
            "--bytes=+9223372036854775808");
}

TEST(ContentSliceTest, ExactlyOneCountAtLeastTheMinimum) {
  EXPECT_TRUE(CheckSliceRequest({.bytes = 0}, 0).ok());
  EXPECT_TRUE(CheckSliceRequest({.lines = 1}, 1).ok());
  EXPECT_EQ(CheckSliceRequest({}, 0).field(), "bytes");
  EXPECT_EQ(CheckSliceRequest({.bytes = 1, .lines = 1}, 0).field(), "bytes");
  EXPECT_EQ(CheckSliceRequest({.bytes = -1}, 0).field(), "bytes");
  Status s = CheckSliceRequest({.lines = 0}, 1);
  EXPECT_EQ(s.field(), "lines");
  EXPECT_EQ(s.message(), "lines must be at least 1");
}

TEST(ContentSliceTest, ViewIsDdInBytesWithinTheLimit) {
  EXPECT_EQ(ViewArgv("/p/x", 100, 20),
            (Argv{"/usr/bin/dd", "if=/p/x", "iflag=skip_bytes,count_bytes", "skip=100", "count=20",
                  "bs=65536", "status=none"}));
  EXPECT_TRUE(CheckView(0, 1).ok());
  EXPECT_TRUE(CheckView(7, kOpsSizeLimit).ok());
  EXPECT_EQ(CheckView(-1, 1).field(), "offset");
  EXPECT_EQ(CheckView(0, 0).field(), "size");
  EXPECT_EQ(CheckView(0, kOpsSizeLimit + 1).field(), "size");
}

TEST(ContentSliceTest, WcCountsBytesOrNewlines) {
  EXPECT_EQ(CountArgv("/p/x", false), (Argv{"/usr/bin/wc", "--bytes", "--", "/p/x"}));
  EXPECT_EQ(CountArgv("/p/x", true), (Argv{"/usr/bin/wc", "--lines", "--", "/p/x"}));
  EXPECT_EQ(ParseCount("42 /p/x\n"), 42);
  EXPECT_EQ(ParseCount("0 /p/x\n"), 0);
  EXPECT_FALSE(ParseCount("wc: /p/x: No such file"));
  EXPECT_FALSE(ParseCount(""));
}

TEST(ContentSliceTest, ALastLineWithoutNewlineCounts) {
  EXPECT_EQ(CountLines(""), 0);
  EXPECT_EQ(CountLines("a\n"), 1);
  EXPECT_EQ(CountLines("a\nb"), 2);
  EXPECT_EQ(CountLines("\n\n"), 2);
}

TEST(ContentSliceTest, APartFoundAtAPositionEndsAfterIt) {
  EXPECT_EQ(SliceAt("hello", false, 0), (ByteSlice{"hello", 0, 5, false}));
  EXPECT_EQ(SliceAt("b\nc\n", true, 1), (ByteSlice{"b\nc\n", 1, 3, true}));
  EXPECT_EQ(SliceAt("", false, 100), (ByteSlice{"", 100, 100, false}));
}

TEST(ContentSliceTest, TheEndOfAFileIsCountedBackFromItsLength) {
  // A 10-byte file's last 4 bytes.
  EXPECT_EQ(SliceAtEnd("6789", false, 10), (ByteSlice{"6789", 6, 10, false}));
  // "a\nb\nc\n" (wc: 3) and its last 2 lines.
  EXPECT_EQ(SliceAtEnd("b\nc\n", true, 3), (ByteSlice{"b\nc\n", 1, 3, true}));
  // "a\nb\nc" (wc: 2 newlines, 3 lines) and its last 2 lines.
  EXPECT_EQ(SliceAtEnd("b\nc", true, 2), (ByteSlice{"b\nc", 1, 3, true}));
  // A file that shrank between tail and wc: never a negative start.
  EXPECT_EQ(SliceAtEnd("abcdef", false, 2), (ByteSlice{"abcdef", 0, 6, false}));
}

}  // namespace
}  // namespace sfapid
