// Fuzzes what every request's first line and headers go through before a handler: the router's
// match of a raw path against the API's kinds of patterns (literal, {param}, {rest:path},
// %-escapes,
// "//" kept), the query string's form decoding, the Range header and the client address parsers.
// The input is "METHOD\nPATH\nQUERY\nRANGE\nADDRESS".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "backends/scheduler/row_filter.h"
#include "http/byte_range.h"
#include "http/form.h"
#include "http/router.h"
#include "util/cidr.h"
#include "util/percent.h"

namespace {

sfapid::http::Router& Routes() {
  static sfapid::http::Router* router = [] {
    auto* r = new sfapid::http::Router;
    auto ok = [](sfapid::http::Request&) {
      return sfapid::http::Response::Text(200, "", "text/plain");
    };
    for (const char* pattern :
         {"/api/v1.2/status", "/api/v1.2/status/{name}",
          "/api/v1.2/utilities/ls/{machine}/{path:path}", "/api/v1.2/compute/jobs/{machine}",
          "/api/v1.2/compute/jobs/{machine}/{jobid}", "/api/v2/filesystem/{op}/{resource_id}",
          "/api/v1.2/tasks/{id}", "/{page}"})
      for (const char* method : {"GET", "POST", "DELETE"})
        r->Add({.method = method, .pattern = pattern, .handler = ok});
    return r;
  }();
  return *router;
}

std::string_view Next(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string method(Next(rest));
  const std::string_view path = Next(rest), query = Next(rest), range = Next(rest),
                         address = Next(rest);
  const auto match = Routes().Find(method, path);
  for (const auto& [name, value] : match.params) (void)sfapid::PercentDecode(value, false);
  if (auto params = sfapid::http::ParseUrlEncoded(query)) {
    std::vector<sfapid::JobFilter> filters;
    for (const auto& kv : sfapid::http::AllParams(*params, "kwargs")) {
      const size_t eq = kv.find('=');
      if (eq != std::string::npos) filters.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
    }
    for (bool sacct : {false, true}) {
      const sfapid::RowFilter filter(filters, sacct);
      (void)filter.Matches(sfapid::JobRow{});
      (void)filter.Matches([](std::string_view field) { return std::string(field); });
    }
  }
  (void)sfapid::http::ParseRange(range, 1 << 20);
  (void)sfapid::ParseCidr(address);
  (void)sfapid::ParseIp(address);
  return 0;
}
