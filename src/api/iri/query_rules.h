// The query parameters an IRI operation declares, checked as the spec's rules say (§1 "Query
// rules"): a key the operation does not declare, or a key given twice (unless it may repeat), is
// 422; a value of the wrong type, outside its bounds, not in its enum or not a date-time is 400
// naming it. One declaration serves the check and the OpenAPI document.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "http/message.h"
#include "util/time_format.h"

namespace sfapid::iri {

enum class ParamType { kString, kInt, kBool, kDateTime, kEnum };

struct QueryParam {
  std::string name;
  ParamType type = ParamType::kString;
  std::string description;
  std::vector<std::string> values;                             // kEnum: the allowed values
  int64_t min = 0, max = std::numeric_limits<int64_t>::max();  // kInt bounds
  size_t min_length = 0;                                       // kString
  std::string pattern;      // kString: an ECMA regex the value must match (documented and checked)
  bool repeatable = false;  // an array parameter (`capability=a&capability=b`)
  bool required = false;
  std::optional<boost::json::value> default_value;  // documented; the handler applies it
};

// The checked values, by name (a repeatable parameter has each of its values).
class QueryValues {
 public:
  const std::string* Get(const std::string& name) const;
  const std::vector<std::string>& All(const std::string& name) const;
  int64_t Int(const std::string& name, int64_t fallback) const;
  bool Bool(const std::string& name, bool fallback) const;
  std::optional<TimePoint> Time(const std::string& name) const;

 private:
  friend std::variant<QueryValues, http::Response> CheckQuery(const http::Request&,
                                                              const std::vector<QueryParam>&);
  std::map<std::string, std::vector<std::string>> values_;
};

std::variant<QueryValues, http::Response> CheckQuery(const http::Request& req,
                                                     const std::vector<QueryParam>& params);

// RFC 3339 date-times as the spec takes them: "Z", an offset or none (UTC), fractions dropped.
std::optional<TimePoint> ParseDateTime(const std::string& text);

// offset (>= 0, at most max_offset) and limit (0-1000, default 100), for the paged lists.
std::vector<QueryParam> PagingParams(int64_t max_offset = std::numeric_limits<int64_t>::max());
// The page [offset, offset + limit) of an already filtered list.
template <typename T>
std::vector<T> Page(std::vector<T> items, const QueryValues& q) {
  const auto offset = static_cast<size_t>(q.Int("offset", 0));
  const auto limit = static_cast<size_t>(q.Int("limit", 100));
  if (offset >= items.size()) return {};
  items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(offset));
  if (items.size() > limit) items.resize(limit);
  return items;
}

// modified_since: the parameter, a single object's 304 (empty body, Last-Modified) when it has
// not changed since, and whether a collection's item is kept (changed at or after it).
QueryParam ModifiedSinceParam();
std::optional<http::Response> NotModified(const QueryValues& q, TimePoint last_modified);
bool ChangedSince(const QueryValues& q, TimePoint last_modified);

// The parameter objects of an OpenAPI operation for these declarations.
boost::json::array QueryParameterDocs(const std::vector<QueryParam>& params);

}  // namespace sfapid::iri
