// The listing's trip through the worker protocol: what the worker encodes is what the server
// decodes, and a malformed entry is an error that names the field rather than a missing entry.
#include "backends/runas/listing_codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid {
namespace {

namespace json = boost::json;

TEST(ListingCodec, RoundTripsEveryField) {
  const std::vector<DirectoryEntry> entries{
      {"drwxr-xr-x", 2, "alice", "m1234", 4096, TimePoint{std::chrono::seconds{1700000000}}, "."},
      {"lrwxrwxrwx", 1, "1001", "1002", 7, TimePoint{std::chrono::seconds{0}}, "l -> /tmp"}};
  const json::array encoded = EncodeListing(entries);
  EXPECT_EQ(encoded.at(0).as_object().at("modified"), 1700000000);
  EXPECT_EQ(encoded.at(1).as_object().at("owner"), "1001");
  auto decoded = DecodeListing(encoded);
  ASSERT_TRUE(decoded) << decoded.status().message();
  EXPECT_EQ(*decoded, entries);
}

TEST(ListingCodec, AMalformedEntryNamesTheField) {
  json::array encoded = EncodeListing({DirectoryEntry{}});
  encoded[0].as_object()["hardlinks"] = "two";
  auto decoded = DecodeListing(encoded);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.status().message().find("hardlinks"), std::string::npos)
      << decoded.status().message();
  EXPECT_FALSE(DecodeListing(json::array{42}));
}

}  // namespace
}  // namespace sfapid
