#include "http/request_framing.h"

#include <gtest/gtest.h>

namespace sfapid::http {
namespace {

TEST(RequestFraming, PlainRequestsAreUnambiguous) {
  EXPECT_EQ(AmbiguousFraming({11, {}, {}}), "");
  EXPECT_EQ(AmbiguousFraming({11, {}, {"12"}}), "");
  EXPECT_EQ(AmbiguousFraming({11, {}, {"12", "12"}}), "");  // repeated, the same: one length
  EXPECT_EQ(AmbiguousFraming({11, {"chunked"}, {}}), "");
  EXPECT_EQ(AmbiguousFraming({11, {"gzip, chunked"}, {}}), "");
  EXPECT_EQ(AmbiguousFraming({11, {"gzip", "Chunked"}, {}}), "");
}

TEST(RequestFraming, EveryWayToReadARequestTwoWaysIsRefused) {
  EXPECT_EQ(AmbiguousFraming({11, {}, {"0", "48"}}), "Content-Length is given twice, differently");
  for (const char* te : {"identity", "xchunked", "chunked, identity", "chunked"})
    EXPECT_EQ(AmbiguousFraming({11, {te}, {"0"}}),
              "Content-Length and Transfer-Encoding must not both be given")
        << te;
  for (const char* te : {"identity", "gzip", "chunked, gzip", "chunked, chunked", " , "})
    EXPECT_EQ(AmbiguousFraming({11, {te}, {}}), "Transfer-Encoding must end with chunked, once")
        << te;
  EXPECT_EQ(AmbiguousFraming({11, {"chunked", "chunked"}, {}}),
            "Transfer-Encoding must end with chunked, once");
  EXPECT_EQ(AmbiguousFraming({10, {"chunked"}, {}}),
            "Transfer-Encoding is not allowed in an HTTP/1.0 request");
}

}  // namespace
}  // namespace sfapid::http
