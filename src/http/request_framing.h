// RFC 9112 §6.1 and §6.3: a request whose framing two parties could read differently (a proxy in
// front and sfapid) is refused and its connection closed, so that no second, hidden request can
// be smuggled behind it.
#pragma once

#include <string>
#include <vector>

namespace sfapid::http {

struct FramingHeaders {
  int version = 11;                             // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::vector<std::string> transfer_encodings;  // each Transfer-Encoding field's value, in order
  std::vector<std::string> content_lengths;     // each Content-Length field's value, in order
};

// Why the framing is ambiguous, or an empty string when it is not.
std::string AmbiguousFraming(const FramingHeaders& h);

}  // namespace sfapid::http
