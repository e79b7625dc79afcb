#include "http/router.h"

#include <gtest/gtest.h>

namespace sfapid::http {
namespace {

Router MakeRouter() {
  Router r;
  auto h = [](Request&) { return Response{}; };
  r.Add({.method = "GET", .pattern = "/api/status/{name}", .handler = h});
  r.Add({.method = "GET", .pattern = "/api/status", .handler = h});
  r.Add({.method = "GET", .pattern = "/api/status/outages", .handler = h});
  r.Add({.method = "GET", .pattern = "/api/ls/{machine}/{path:path}", .handler = h});
  r.Add({.method = "PUT", .pattern = "/api/ls/{machine}/{path:path}", .handler = h});
  return r;
}

TEST(Router, TrailingSlashIsTheSameRoute) {
  Router r = MakeRouter();
  EXPECT_EQ(r.Find("GET", "/api/status").route->pattern, "/api/status");
  EXPECT_EQ(r.Find("GET", "/api/status/").route->pattern, "/api/status");
}

TEST(Router, LiteralBeatsParameterWhateverTheOrder) {
  Router r = MakeRouter();
  EXPECT_EQ(r.Find("GET", "/api/status/outages").route->pattern, "/api/status/outages");
  Match m = r.Find("GET", "/api/status/perlmutter");
  EXPECT_EQ(m.route->pattern, "/api/status/{name}");
  EXPECT_EQ(m.params.at("name"), "perlmutter");
}

TEST(Router, ParametersArePercentDecoded) {
  Match m = MakeRouter().Find("GET", "/api/status/a%20b");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params.at("name"), "a b");
  EXPECT_TRUE(MakeRouter().Find("GET", "/api/status/a%2").bad_escape);
}

TEST(Router, RestPathKeepsDoubleSlashAndDecodesSlashes) {
  Router r = MakeRouter();
  // sfapi_client: f"utilities/ls/{machine}/{path}" with an absolute path.
  EXPECT_EQ(r.Find("GET", "/api/ls/perlmutter//global/homes/u/x").params.at("path"),
            "/global/homes/u/x");
  // SuperfacilityConnector: %2F-encoded slashes.
  EXPECT_EQ(r.Find("GET", "/api/ls/perlmutter/%2Fglobal%2Fhomes").params.at("path"),
            "/global/homes");
  // A relative path gets its leading slash.
  EXPECT_EQ(r.Find("GET", "/api/ls/perlmutter/tmp/x").params.at("path"), "/tmp/x");
  // A trailing slash is part of the path, not dropped.
  EXPECT_EQ(r.Find("GET", "/api/ls/perlmutter//tmp/").params.at("path"), "/tmp/");
  EXPECT_EQ(r.Find("GET", "/api/ls/perlmutter/").params.at("path"), "/");
  EXPECT_EQ(r.Find("GET", "/api/ls/perlmutter//").params.at("path"), "/");
  EXPECT_EQ(r.Find("GET", "/api/ls/perlmutter/%2e%2e/etc").params.at("path"), "/../etc");
  EXPECT_EQ(r.Find("GET", "/api/ls/perlmutter//a").params.at("machine"), "perlmutter");
  EXPECT_FALSE(r.Find("GET", "/api/ls/perlmutter").route);
}

TEST(Router, MethodNotAllowedOnlyWhenThePathExists) {
  Router r = MakeRouter();
  Match m = r.Find("DELETE", "/api/status");
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.method_not_allowed);
  m = r.Find("DELETE", "/api/nosuch");
  EXPECT_FALSE(m.route);
  EXPECT_FALSE(m.method_not_allowed);
  EXPECT_EQ(r.Find("PUT", "/api/ls/m//x").route->method, "PUT");
}

TEST(Router, NoMatchForExtraOrMissingSegments) {
  Router r = MakeRouter();
  EXPECT_FALSE(r.Find("GET", "/api/status/a/b").route);
  EXPECT_FALSE(r.Find("GET", "/api").route);
  EXPECT_FALSE(r.Find("GET", "/api/status//").route);  // empty {name}
}

}  // namespace
}  // namespace sfapid::http
