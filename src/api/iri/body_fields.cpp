#include "api/iri/body_fields.h"

#include <boost/json.hpp>

namespace sfapid::iri {

namespace json = boost::json;

std::optional<std::string> BodyValues::String(const std::string& name) const {
  const json::value* v = o_.if_contains(name);
  return v && v->is_string() ? std::optional<std::string>(v->as_string()) : std::nullopt;
}

std::optional<int64_t> BodyValues::Int(const std::string& name) const {
  const json::value* v = o_.if_contains(name);
  return v && v->is_int64() ? std::optional<int64_t>(v->as_int64()) : std::nullopt;
}

bool BodyValues::Bool(const std::string& name, bool fallback) const {
  const json::value* v = o_.if_contains(name);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

std::variant<BodyValues, http::Response> CheckBody(const http::Request& req,
                                                   const std::vector<BodyField>& fields) {
  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec) return InvalidParams(req, {{"body", "is not valid JSON: " + ec.message()}});
  if (!body.is_object()) return InvalidParams(req, {{"body", "must be a JSON object"}});
  std::vector<InvalidParam> bad;
  json::object& o = body.as_object();
  for (const auto& f : fields) {
    json::value* v = o.if_contains(f.name);
    if (v && v->is_null()) {
      o.erase(f.name);
      v = nullptr;
    }
    if (!v) {
      if (f.required) bad.push_back({"body." + f.name, "is required"});
      continue;
    }
    switch (f.type) {
      case BodyField::kString:
        if (!v->is_string() || static_cast<int64_t>(v->as_string().size()) < f.min)
          bad.push_back(
              {"body." + f.name, f.min > 0 ? "must be a non-empty string" : "must be a string"});
        else if (v->as_string().find('\0') != json::string::npos)
          bad.push_back({"body." + f.name, "must not contain a NUL character"});
        break;
      case BodyField::kBool:
        if (!v->is_bool()) bad.push_back({"body." + f.name, "must be true or false"});
        break;
      case BodyField::kInt:
        if (v->is_uint64() && v->as_uint64() <= INT64_MAX)
          *v = static_cast<int64_t>(v->as_uint64());
        if (!v->is_int64() || v->as_int64() < f.min)
          bad.push_back(
              {"body." + f.name, "must be an integer of at least " + std::to_string(f.min)});
        break;
    }
  }
  if (!bad.empty()) return InvalidParams(req, bad);
  return BodyValues(std::move(o));
}

json::object BodySchema(const std::vector<BodyField>& fields) {
  json::object properties;
  json::array required;
  for (const auto& f : fields) {
    json::object p;
    switch (f.type) {
      case BodyField::kString:
        p = {{"type", "string"}};
        if (f.min > 0) p["minLength"] = f.min;
        break;
      case BodyField::kBool:
        p = {{"type", "boolean"}};
        break;
      case BodyField::kInt:
        p = {{"type", "integer"}, {"minimum", f.min}};
        break;
    }
    if (f.default_value) p["default"] = *f.default_value;
    if (!f.description.empty()) p["description"] = f.description;
    properties[f.name] = std::move(p);
    if (f.required) required.push_back(json::string(f.name));
  }
  json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

}  // namespace sfapid::iri
