// find's command lines for ls (a folder's entries, the tree, hidden entries skipped and not
// entered, symlinks followed on request) and the reading of its NUL-separated output into
// DirectoryEntry, so that no file name can be misread.
#include "core/files/path_listing.h"

#include <gtest/gtest.h>

namespace sfapid {
namespace {

using Argv = std::vector<std::string>;
const std::string kFormat = "%M\\0%n\\0%u\\0%g\\0%s\\0%T@\\0%y\\0%P\\0%l\\0";

// One entry as find's -printf prints it.
std::string Printed(const std::string& perms, const std::string& path_below, char type,
                    const std::string& target = "", const std::string& size = "12") {
  std::string out;
  for (const std::string& f :
       {perms, std::string("1"), std::string("alice"), std::string("m1234"), size,
        std::string("1700000000.5000000000"), std::string(1, type), path_below, target}) {
    out += f;
    out += '\0';
  }
  return out;
}

TEST(PathListingTest, AFolderIsListedOneLevelDeepWithoutHiddenEntries) {
  EXPECT_EQ(ListingArgv("/p/d*", {}),
            (Argv{"/usr/bin/find", "--", "/p/d*", "-maxdepth", "1", "(", "-name", ".*", "!",
                  "-path", "/p/d\\*", "-prune", ")", "-o", "-printf", kFormat}));
}

TEST(PathListingTest, OptionsWidenTheListing) {
  EXPECT_EQ(ListingArgv("/p/d", {.show_hidden = true, .recursive = true, .dereference = true}),
            (Argv{"/usr/bin/find", "-L", "--", "/p/d", "-printf", kFormat}));
  const Argv numeric = ListingArgv("/p/d", {.show_hidden = true, .numeric_ids = true});
  EXPECT_EQ(numeric.back(), "%M\\0%n\\0%U\\0%G\\0%s\\0%T@\\0%y\\0%P\\0%l\\0");
}

TEST(PathListingTest, DescribingIsTheOnePath) {
  EXPECT_EQ(DescribeArgv("/p/x"),
            (Argv{"/usr/bin/find", "--", "/p/x", "-maxdepth", "0", "-printf", kFormat}));
}

TEST(PathListingTest, AFoldersEntriesAreSortedWithoutTheFolder) {
  const std::string out = Printed("drwxr-x---", "", 'd') + Printed("-rw-r--r--", "b c\nd", 'f') +
                          Printed("lrwxrwxrwx", "a -> x", 'l', "/p/t -> u") +
                          Printed("drwxr-xr-x", "sub", 'd');
  auto entries = ParseListing(out, "/p/d", ListingUse::kContents);
  ASSERT_TRUE(entries) << entries.status().message();
  ASSERT_EQ(entries->size(), 3u);
  // A link's name is "name -> target", whatever either holds.
  EXPECT_EQ((*entries)[0].name, "a -> x -> /p/t -> u");
  EXPECT_EQ((*entries)[1].name, "b c\nd");
  EXPECT_EQ((*entries)[2].name, "sub");
  const DirectoryEntry& file = (*entries)[1];
  EXPECT_EQ(file.permissions, "-rw-r--r--");
  EXPECT_EQ(file.hardlinks, 1);
  EXPECT_EQ(file.owner, "alice");
  EXPECT_EQ(file.group, "m1234");
  EXPECT_EQ(file.size, 12);
  EXPECT_EQ(file.modified, TimePoint{std::chrono::seconds{1700000000}});
}

TEST(PathListingTest, AFileListsAsItself) {
  auto entries = ParseListing(Printed("-rw-r--r--", "", 'f'), "/p/x", ListingUse::kContents);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "/p/x");
  auto link = ParseListing(Printed("lrwxrwxrwx", "", 'l', "/p/t"), "/p/l", ListingUse::kContents);
  ASSERT_TRUE(link);
  EXPECT_EQ((*link)[0].name, "/p/l -> /p/t");
}

TEST(PathListingTest, DescribingAFolderKeepsIt) {
  auto entries = ParseListing(Printed("drwxr-xr-x", "", 'd'), "/p/d", ListingUse::kItself);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "/p/d");
  EXPECT_EQ((*entries)[0].permissions, "drwxr-xr-x");
}

TEST(PathListingTest, AnEmptyFolderIsNoEntries) {
  auto entries = ParseListing("", "/p/d", ListingUse::kContents);
  ASSERT_TRUE(entries);
  EXPECT_TRUE(entries->empty());
}

TEST(PathListingTest, OutputThatIsNotFindsIsRefused) {
  const std::string one = Printed("-rw-r--r--", "a", 'f');
  EXPECT_FALSE(ParseListing(one.substr(0, one.size() - 1), "/p", ListingUse::kContents));
  EXPECT_FALSE(ParseListing(std::string("x\0", 2), "/p", ListingUse::kContents));
  EXPECT_FALSE(
      ParseListing(Printed("-rw-r--r--", "a", 'f', "", "big"), "/p", ListingUse::kContents));
  EXPECT_FALSE(ParseListing(Printed("", "a", 'f'), "/p", ListingUse::kContents));
}

}  // namespace
}  // namespace sfapid
