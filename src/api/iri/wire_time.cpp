#include "api/iri/wire_time.h"

#include <ctime>

namespace sfapid::iri {

namespace {

std::string Format(TimePoint t, const char* format) {
  const std::time_t s = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

std::string Timestamp(TimePoint t) { return Format(t, "%Y-%m-%dT%H:%M:%SZ"); }

// strftime's %a and %b follow the C locale, which sfapid never changes: English names, as
// RFC 9110 requires.
std::string HttpDate(TimePoint t) { return Format(t, "%a, %d %b %Y %H:%M:%S GMT"); }

}  // namespace sfapid::iri
