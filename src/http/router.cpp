#include "http/router.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "http/errors.h"
#include "util/percent.h"

namespace sfapid::http {

namespace {

std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  if (!path.empty() && path.front() == '/') start = 1;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

// The file path a client meant: decoded, with exactly the leading "/" it should have.
std::optional<std::string> DecodeRestPath(std::string_view raw) {
  auto decoded = PercentDecode(raw, false);
  if (!decoded) return std::nullopt;
  if (decoded->empty() || decoded->front() != '/') decoded->insert(decoded->begin(), '/');
  return decoded;
}

}  // namespace

Route& Router::Add(Route route) {
  if (route.pattern.empty() || route.pattern.front() != '/') {
    std::fprintf(stderr, "route pattern '%s' must start with '/'\n", route.pattern.c_str());
    std::abort();
  }
  std::string_view p = route.pattern;
  if (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  const auto parts = SplitSegments(p);
  for (size_t i = 0; i < parts.size(); ++i) {
    Route::Segment seg;
    std::string_view part = parts[i];
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      part = part.substr(1, part.size() - 2);
      if (part.size() > 5 && part.substr(part.size() - 5) == ":path") {
        if (i + 1 != parts.size()) {
          std::fprintf(stderr, "route '%s': a {name:path} parameter must come last\n",
                       route.pattern.c_str());
          std::abort();
        }
        seg.kind = Route::Segment::kRestPath;
        part.remove_suffix(5);
      } else {
        seg.kind = Route::Segment::kParam;
      }
    }
    seg.text = std::string(part);
    route.segments.push_back(std::move(seg));
  }
  routes_.push_back(std::move(route));
  return routes_.back();
}

Match Router::Find(const std::string& method, std::string_view raw_path) const {
  Match result;
  // Segments for the ordinary match: one trailing slash dropped.
  std::string_view trimmed = raw_path;
  if (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  const auto parts = SplitSegments(trimmed);
  int best_literals = -1;

  for (const Route& route : routes_) {
    // Most routes fail on their length alone, with no segment compared: every request walks
    // every route (the 405's Allow header needs all the methods of a path).
    const size_t count = route.segments.size();
    if (count > 0 && route.segments.back().kind == Route::Segment::kRestPath
            ? parts.size() + 1 < count
            : parts.size() != count)
      continue;
    std::map<std::string, std::string> params;
    bool matched = true, bad_escape = false;
    // Offset into raw_path where the current segment starts, for the rest-of-path parameter.
    size_t offset = 1;
    size_t i = 0;
    for (; i < route.segments.size(); ++i) {
      const auto& seg = route.segments[i];
      if (seg.kind == Route::Segment::kRestPath) {
        // Everything after the previous segment's "/", taken from the untrimmed path.
        if (offset > raw_path.size()) {
          matched = false;
          break;
        }
        auto rest = DecodeRestPath(raw_path.substr(offset));
        if (!rest) {
          bad_escape = true;
          break;
        }
        params[seg.text] = std::move(*rest);
        i = route.segments.size();
        break;
      }
      if (i >= parts.size()) {
        matched = false;
        break;
      }
      if (seg.kind == Route::Segment::kLiteral) {
        if (parts[i] != seg.text) {
          matched = false;
          break;
        }
      } else {
        if (parts[i].empty()) {
          matched = false;
          break;
        }
        auto v = PercentDecode(parts[i], false);
        if (!v) {
          bad_escape = true;
          break;
        }
        params[seg.text] = std::move(*v);
      }
      offset += parts[i].size() + 1;
    }
    const bool rest_path =
        !route.segments.empty() && route.segments.back().kind == Route::Segment::kRestPath;
    if (!matched) continue;
    if (!bad_escape && !rest_path && parts.size() != route.segments.size()) continue;
    if (!bad_escape && std::find(result.allowed.begin(), result.allowed.end(), route.method) ==
                           result.allowed.end())
      result.allowed.push_back(route.method);
    if (route.method != method) {
      if (!result.route) result.method_not_allowed = true;
      continue;
    }
    // A literal segment beats a parameter ("/status/outages" over "/status/{name}"), whatever
    // the order of registration.
    int literals = 0;
    for (const auto& seg : route.segments) literals += seg.kind == Route::Segment::kLiteral;
    if (result.route && literals <= best_literals) continue;
    best_literals = literals;
    result.route = &route;
    result.params = std::move(params);
    result.bad_escape = bad_escape;
    result.method_not_allowed = false;
  }
  return result;
}

void Router::SetErrorShape(std::string prefix, ErrorShape shape) {
  error_shapes_.emplace_back(std::move(prefix), std::move(shape));
}

const ErrorShape* Router::ShapeFor(std::string_view path) const {
  for (const auto& [prefix, shape] : error_shapes_)
    if (path.substr(0, prefix.size()) == prefix &&
        (path.size() == prefix.size() || path[prefix.size()] == '/'))
      return &shape;
  return nullptr;
}

bool Router::HasErrorShape(std::string_view path) const { return ShapeFor(path) != nullptr; }

Response Router::Error(const Request& req, int status, const std::string& detail) const {
  if (const ErrorShape* shape = ShapeFor(req.path)) return (*shape)(req, status, detail);
  return DetailError(status, detail);
}

}  // namespace sfapid::http
