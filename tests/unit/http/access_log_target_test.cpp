#include "http/access_log_target.h"

#include <gtest/gtest.h>

namespace sfapid::http {
namespace {

TEST(AccessLogTarget, ShowsThePathAndOnlyCredentialFreeParameters) {
  EXPECT_EQ(TargetForLog("/api/v1.2/status"), "/api/v1.2/status");
  EXPECT_EQ(TargetForLog("/a?cached=false&sacct=true"), "/a?cached=false&sacct=true");
  EXPECT_EQ(TargetForLog("/oauth2/token?client_assertion=eyJ.x.y"), "/oauth2/token?(redacted)");
  EXPECT_EQ(TargetForLog("/a?access_token=t&cached=false"), "/a?cached=false&(redacted)");
  EXPECT_EQ(TargetForLog("/a?cached=false&secret=s&kwargs=user%3Dalice"),
            "/a?cached=false&kwargs=user%3Dalice&(redacted)");
  EXPECT_EQ(TargetForLog("/a?"), "/a");
  // A name that merely starts like an allowed one is not allowed.
  EXPECT_EQ(TargetForLog("/a?cachedX=1"), "/a?(redacted)");
}

}  // namespace
}  // namespace sfapid::http
