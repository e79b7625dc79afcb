#include "api/iri/query_rules.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sfapid::iri {
namespace {

http::Request WithQuery(http::Params query) {
  http::Request r;
  r.method = "GET";
  r.target = r.path = "/api/v2/x";
  r.query = std::move(query);
  return r;
}

const std::vector<QueryParam> kParams = {
    {.name = "limit", .type = ParamType::kInt, .max = 1000},
    {.name = "flag", .type = ParamType::kBool},
    {.name = "when", .type = ParamType::kDateTime},
    {.name = "status", .type = ParamType::kEnum, .values = {"up", "down"}},
    {.name = "name", .min_length = 1},
    {.name = "urn", .pattern = "^urn:[a-z]+$"},
    {.name = "capability", .repeatable = true}};

int StatusOf(http::Params query) {
  auto checked = CheckQuery(WithQuery(std::move(query)), kParams);
  auto* r = std::get_if<http::Response>(&checked);
  return r ? r->status : 200;
}

TEST(QueryRules, UndeclaredAndRepeatedKeysAre422) {
  EXPECT_EQ(StatusOf({{"other", "1"}}), 422);
  EXPECT_EQ(StatusOf({{"limit", "1"}, {"limit", "2"}}), 422);
  EXPECT_EQ(StatusOf({{"capability", "a"}, {"capability", "b"}}), 200);
}

TEST(QueryRules, BadValuesAre400) {
  EXPECT_EQ(StatusOf({{"limit", "x"}}), 400);
  EXPECT_EQ(StatusOf({{"limit", "1001"}}), 400);
  EXPECT_EQ(StatusOf({{"limit", "-1"}}), 400);
  EXPECT_EQ(StatusOf({{"flag", "yes"}}), 400);
  EXPECT_EQ(StatusOf({{"flag", "TRUE"}}), 200);
  EXPECT_EQ(StatusOf({{"when", "yesterday"}}), 400);
  EXPECT_EQ(StatusOf({{"status", "sideways"}}), 400);
  EXPECT_EQ(StatusOf({{"name", ""}}), 400);
  EXPECT_EQ(StatusOf({{"urn", "urn:x1"}}), 400);
  EXPECT_EQ(StatusOf({{"urn", "urn:abc"}}), 200);
}

TEST(QueryRules, DateTimesTakeZonesFractionsAndNone) {
  const auto utc = ParseDateTime("2026-02-21T12:00:00Z");
  ASSERT_TRUE(utc);
  EXPECT_EQ(ParseDateTime("2026-02-21T13:00:00+01:00"), utc);
  EXPECT_EQ(ParseDateTime("2026-02-21T12:00:00.250Z"), utc);
  EXPECT_EQ(ParseDateTime("2026-02-21T12:00:00"), utc);
  EXPECT_FALSE(ParseDateTime("2026-02-30T12:00:00Z"));
  EXPECT_FALSE(ParseDateTime("2026-02-21T12:00:00.Z"));
}

TEST(QueryRules, PagesAfterFiltering) {
  auto q = std::get<QueryValues>(
      CheckQuery(WithQuery({{"offset", "1"}, {"limit", "2"}}), PagingParams()));
  EXPECT_EQ(Page(std::vector<int>{1, 2, 3, 4}, q), (std::vector<int>{2, 3}));
  auto zero = std::get<QueryValues>(CheckQuery(WithQuery({{"limit", "0"}}), PagingParams()));
  EXPECT_TRUE(Page(std::vector<int>{1, 2}, zero).empty());
  auto past = std::get<QueryValues>(CheckQuery(WithQuery({{"offset", "9"}}), PagingParams()));
  EXPECT_TRUE(Page(std::vector<int>{1, 2}, past).empty());
}

TEST(QueryRules, ModifiedSinceIs304ForAnUnchangedObject) {
  auto q = std::get<QueryValues>(
      CheckQuery(WithQuery({{"modified_since", "2026-02-21T12:00:00Z"}}), {ModifiedSinceParam()}));
  const TimePoint at = *ParseDateTime("2026-02-21T12:00:00Z");
  auto not_modified = NotModified(q, at);
  ASSERT_TRUE(not_modified);
  EXPECT_EQ(not_modified->status, 304);
  EXPECT_TRUE(not_modified->body.empty());
  EXPECT_FALSE(NotModified(q, at + std::chrono::seconds(1)));
  EXPECT_TRUE(ChangedSince(q, at));
  EXPECT_FALSE(ChangedSince(q, at - std::chrono::seconds(1)));
}

}  // namespace
}  // namespace sfapid::iri
