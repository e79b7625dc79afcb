// Tolerant reads of the records the local scheduler writes itself (its job table and reservation
// book): a missing or mistyped field reads as empty (or the fallback), never throws, so one
// damaged record cannot stop the scheduler from loading the others. What sfapid exchanges with
// other processes is read strictly instead (util/json_fields.h).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace sfapid::local::record {

inline std::string Str(const boost::json::object& o, const char* k) {
  const boost::json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

inline int64_t Int(const boost::json::object& o, const char* k, int64_t fallback = 0) {
  const boost::json::value* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : fallback;
}

inline bool Bool(const boost::json::object& o, const char* k) {
  const boost::json::value* v = o.if_contains(k);
  return v && v->is_bool() && v->as_bool();
}

inline const boost::json::array& Array(const boost::json::object& o, const char* k) {
  static const boost::json::array kNone;
  const boost::json::value* v = o.if_contains(k);
  return v && v->is_array() ? v->as_array() : kNone;
}

// The strings of an array field; other items are skipped.
inline std::vector<std::string> Strings(const boost::json::object& o, const char* k) {
  std::vector<std::string> out;
  for (const auto& s : Array(o, k))
    if (s.is_string()) out.emplace_back(s.as_string());
  return out;
}

inline boost::json::array ToArray(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace sfapid::local::record
