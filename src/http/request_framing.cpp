#include "http/request_framing.h"

#include <strings.h>

namespace sfapid::http {

namespace {

// "chunked, gzip" and a second field "x" -> {"chunked", "gzip", "x"}.
std::vector<std::string> Codings(const std::vector<std::string>& fields) {
  std::vector<std::string> list;
  for (const auto& field : fields) {
    for (size_t start = 0; start <= field.size();) {
      size_t end = field.find(',', start);
      if (end == std::string::npos) end = field.size();
      std::string c = field.substr(start, end - start);
      while (!c.empty() && (c.front() == ' ' || c.front() == '\t')) c.erase(0, 1);
      while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.pop_back();
      if (!c.empty()) list.push_back(c);
      start = end + 1;
    }
  }
  return list;
}

bool IsChunked(const std::string& coding) { return ::strcasecmp(coding.c_str(), "chunked") == 0; }

}  // namespace

std::string AmbiguousFraming(const FramingHeaders& h) {
  for (const auto& length : h.content_lengths)
    if (length != h.content_lengths.front()) return "Content-Length is given twice, differently";
  if (h.transfer_encodings.empty()) return "";
  if (h.version < 11) return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
  if (!h.content_lengths.empty())
    return "Content-Length and Transfer-Encoding must not both be given";
  // The last coding must be chunked, and chunked may not come twice.
  const auto list = Codings(h.transfer_encodings);
  int chunked = 0;
  for (const auto& c : list) chunked += IsChunked(c);
  if (list.empty() || !IsChunked(list.back()) || chunked != 1)
    return "Transfer-Encoding must end with chunked, once";
  return "";
}

}  // namespace sfapid::http
