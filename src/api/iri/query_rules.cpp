#include "api/iri/query_rules.h"

#include <boost/json/array.hpp>
#include <charconv>
#include <regex>

#include "api/iri/problem.h"
#include "api/iri/wire_time.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<int64_t> ParseInt(const std::string& s) {
  int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || s.empty()) return std::nullopt;
  return v;
}

// Why the value does not fit the declaration, or "".
std::string Refusal(const QueryParam& p, const std::string& v) {
  switch (p.type) {
    case ParamType::kInt: {
      auto n = ParseInt(v);
      if (!n) return "must be an integer";
      if (*n < p.min) return "must be at least " + std::to_string(p.min);
      if (*n > p.max) return "must be at most " + std::to_string(p.max);
      return "";
    }
    case ParamType::kBool: {
      const std::string l = Lower(v);
      return l == "true" || l == "false" ? "" : "must be true or false";
    }
    case ParamType::kDateTime:
      return ParseDateTime(v) ? "" : "must be an ISO 8601 date-time, e.g. 2026-02-21T12:00:00Z";
    case ParamType::kEnum: {
      for (const auto& allowed : p.values)
        if (v == allowed) return "";
      std::string list;
      for (const auto& allowed : p.values) list += (list.empty() ? "" : ", ") + allowed;
      return "must be one of: " + list;
    }
    case ParamType::kString:
      if (v.size() < p.min_length)
        return "must be at least " + std::to_string(p.min_length) + " characters long";
      if (!p.pattern.empty() && !std::regex_match(v, std::regex(p.pattern)))
        return "does not match the expected form";
      return "";
  }
  return "";
}

}  // namespace

const std::string* QueryValues::Get(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? nullptr : &it->second.front();
}

const std::vector<std::string>& QueryValues::All(const std::string& name) const {
  static const std::vector<std::string> none;
  auto it = values_.find(name);
  return it == values_.end() ? none : it->second;
}

int64_t QueryValues::Int(const std::string& name, int64_t fallback) const {
  const std::string* v = Get(name);
  return v ? ParseInt(*v).value_or(fallback) : fallback;
}

bool QueryValues::Bool(const std::string& name, bool fallback) const {
  const std::string* v = Get(name);
  return v ? Lower(*v) == "true" : fallback;
}

std::optional<TimePoint> QueryValues::Time(const std::string& name) const {
  const std::string* v = Get(name);
  return v ? ParseDateTime(*v) : std::nullopt;
}

std::optional<TimePoint> ParseDateTime(const std::string& text) {
  // Fractions of a second are valid RFC 3339; sfapid's times are whole seconds.
  std::string t = text;
  if (const size_t dot = t.find('.'); dot != std::string::npos && dot >= 19) {
    size_t end = dot + 1;
    while (end < t.size() && std::isdigit(static_cast<unsigned char>(t[end]))) ++end;
    if (end == dot + 1) return std::nullopt;
    t.erase(dot, end - dot);
  }
  if (t.size() < 10 || t.size() > 40) return std::nullopt;
  if (!t.empty() && (t.back() == 'z')) t.back() = 'Z';
  if (t.size() > 10 && (t[10] == 't')) t[10] = 'T';
  return ParseIso8601(t);
}

std::variant<QueryValues, http::Response> CheckQuery(const http::Request& req,
                                                     const std::vector<QueryParam>& params) {
  QueryValues out;
  std::vector<InvalidParam> bad;
  for (const auto& [key, value] : req.query) {
    const QueryParam* p = nullptr;
    for (const auto& candidate : params)
      if (candidate.name == key) p = &candidate;
    if (!p)
      return Problem(req, 422, "query parameter '" + key + "' is not one this operation takes");
    auto& list = out.values_[key];
    if (!list.empty() && !p->repeatable)
      return Problem(req, 422, "query parameter '" + key + "' is given more than once");
    if (std::string why = Refusal(*p, value); !why.empty()) bad.push_back({key, why});
    list.push_back(value);
  }
  for (const auto& p : params)
    if (p.required && !out.Get(p.name)) bad.push_back({p.name, "is required"});
  if (!bad.empty()) return InvalidParams(req, bad);
  return out;
}

std::vector<QueryParam> PagingParams(int64_t max_offset) {
  QueryParam offset{.name = "offset",
                    .type = ParamType::kInt,
                    .description = "Items to skip (after filtering)",
                    .max = max_offset};
  offset.default_value = 0;
  QueryParam limit{.name = "limit",
                   .type = ParamType::kInt,
                   .description = "At most this many items",
                   .max = 1000};
  limit.default_value = 100;
  return {offset, limit};
}

QueryParam ModifiedSinceParam() {
  return {.name = "modified_since",
          .type = ParamType::kDateTime,
          .description = "Only what changed at or after this time (a single object: 304 if not)"};
}

std::optional<http::Response> NotModified(const QueryValues& q, TimePoint last_modified) {
  const auto since = q.Time("modified_since");
  if (!since || last_modified > *since) return std::nullopt;
  http::Response r = http::Response::Text(304, "", "application/json");
  r.headers.emplace_back("Last-Modified", HttpDate(last_modified));
  return r;
}

bool ChangedSince(const QueryValues& q, TimePoint last_modified) {
  const auto since = q.Time("modified_since");
  return !since || last_modified >= *since;
}

json::array QueryParameterDocs(const std::vector<QueryParam>& params) {
  json::array out;
  for (const auto& p : params) {
    json::object schema;
    switch (p.type) {
      case ParamType::kInt:
        schema = {{"type", "integer"}, {"minimum", p.min}};
        if (p.max != std::numeric_limits<int64_t>::max()) schema["maximum"] = p.max;
        break;
      case ParamType::kBool:
        schema = {{"type", "boolean"}};
        break;
      case ParamType::kDateTime:
        schema = {{"type", "string"}, {"format", "date-time"}};
        break;
      case ParamType::kEnum: {
        json::array values;
        for (const auto& v : p.values) values.push_back(json::string(v));
        schema = {{"type", "string"}, {"enum", std::move(values)}};
        break;
      }
      case ParamType::kString:
        schema = {{"type", "string"}};
        if (p.min_length) schema["minLength"] = p.min_length;
        if (!p.pattern.empty()) schema["pattern"] = p.pattern;
        break;
    }
    if (p.default_value) schema["default"] = *p.default_value;
    if (p.repeatable) schema = {{"type", "array"}, {"items", std::move(schema)}, {"minItems", 1}};
    json::object param{{"name", p.name},
                       {"in", "query"},
                       {"required", p.required},
                       {"description", p.description},
                       {"schema", std::move(schema)}};
    if (p.repeatable) {
      param["style"] = "form";
      param["explode"] = true;
    }
    out.push_back(std::move(param));
  }
  return out;
}

}  // namespace sfapid::iri
