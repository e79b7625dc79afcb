#include "api/request_model.h"

#include <algorithm>
#include <boost/json.hpp>

#include "api/lax_scalars.h"
#include "http/errors.h"
#include "http/form.h"

namespace sfapid::api {

namespace json = boost::json;

namespace {

const std::string kNoString;
const std::vector<std::string> kNoStrings;

http::Response FieldRefusal(const Field& f, std::string msg, const char* type) {
  return http::ValidationError({{"body", f.name}, std::move(msg), type});
}

std::size_t Utf8Length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// pydantic's words for an enum: "Input should be 'a', 'b' or 'c'".
std::string ChoicesMessage(const std::vector<std::string>& choices) {
  std::string msg = "Input should be ";
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) msg.append(i + 1 == choices.size() ? " or " : ", ");
    msg.append("'").append(choices[i]).append("'");
  }
  return msg;
}

json::object PropertySchema(const Field& f) {
  json::object p;
  switch (f.type) {
    case FieldType::kString:
      p["type"] = "string";
      if (!f.choices.empty()) {
        json::array e;
        for (const auto& c : f.choices) e.emplace_back(c);
        p["enum"] = std::move(e);
      }
      if (f.max_length) p["maxLength"] = static_cast<int64_t>(*f.max_length);
      break;
    case FieldType::kInteger:
      p["type"] = "integer";
      if (f.minimum) p["minimum"] = *f.minimum;
      if (f.maximum) p["maximum"] = *f.maximum;
      break;
    case FieldType::kBoolean:
      p["type"] = "boolean";
      break;
    case FieldType::kStringList:
      p["type"] = "array";
      p["items"] = json::object{{"type", "string"}};
      break;
    case FieldType::kFile:
      p["type"] = "string";
      p["format"] = "binary";
      break;
  }
  if (!f.default_value.is_null()) p["default"] = f.default_value;
  if (!f.description.empty()) p["description"] = f.description;
  return p;
}

// The default as the field's type holds it, for a field that was absent.
std::optional<FormValues::Value> DefaultOf(const Field& f) {
  const json::value& d = f.default_value;
  if (d.is_string()) return std::string(d.as_string());
  if (d.is_int64()) return d.as_int64();
  if (d.is_bool()) return d.as_bool();
  if (d.is_array()) {
    std::vector<std::string> out;
    for (const auto& v : d.as_array())
      if (v.is_string()) out.emplace_back(v.as_string());
    return out;
  }
  return std::nullopt;
}

// One present value read as the field's type; the 422 otherwise.
std::optional<http::Response> ReadValue(const Field& f, const http::Form& form, FormValues& out) {
  switch (f.type) {
    case FieldType::kStringList:
      out.Set(f.name, form.GetAll(f.name));
      return std::nullopt;
    case FieldType::kFile:
      out.Set(f.name, form.Field(f.name)->value);
      return std::nullopt;
    case FieldType::kString: {
      const std::string& v = *form.Get(f.name);
      if (f.max_length && Utf8Length(v) > *f.max_length)
        return FieldRefusal(
            f, "String should have at most " + std::to_string(*f.max_length) + " characters",
            "string_too_long");
      if (!f.choices.empty() && std::find(f.choices.begin(), f.choices.end(), v) == f.choices.end())
        return FieldRefusal(f, ChoicesMessage(f.choices), "enum");
      out.Set(f.name, v);
      return std::nullopt;
    }
    case FieldType::kInteger: {
      auto n = ParseInt(*form.Get(f.name));
      if (!n)
        return FieldRefusal(f,
                            "Input should be a valid integer, unable to parse string as an integer",
                            "int_parsing");
      if (f.minimum && *n < *f.minimum)
        return FieldRefusal(
            f, "Input should be greater than or equal to " + std::to_string(*f.minimum),
            "greater_than_equal");
      if (f.maximum && *n > *f.maximum)
        return FieldRefusal(f,
                            "Input should be less than or equal to " + std::to_string(*f.maximum),
                            "less_than_equal");
      out.Set(f.name, *n);
      return std::nullopt;
    }
    case FieldType::kBoolean: {
      auto b = ParseBool(*form.Get(f.name));
      if (!b)
        return FieldRefusal(f, "Input should be a valid boolean, unable to interpret input",
                            "bool_parsing");
      out.Set(f.name, *b);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

const std::string& FormValues::String(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return kNoString;
  const auto* s = std::get_if<std::string>(&it->second);
  return s ? *s : kNoString;
}

std::optional<int64_t> FormValues::Int(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  const auto* n = std::get_if<int64_t>(&it->second);
  return n ? std::optional(*n) : std::nullopt;
}

std::optional<bool> FormValues::Bool(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  const auto* b = std::get_if<bool>(&it->second);
  return b ? std::optional(*b) : std::nullopt;
}

const std::vector<std::string>& FormValues::Strings(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return kNoStrings;
  const auto* v = std::get_if<std::vector<std::string>>(&it->second);
  return v ? *v : kNoStrings;
}

RequestModel::RequestModel(std::string schema_name, std::vector<Field> fields)
    : name_(std::move(schema_name)), fields_(std::move(fields)) {}

bool RequestModel::multipart() const {
  for (const auto& f : fields_)
    if (f.type == FieldType::kFile) return true;
  return false;
}

json::object RequestModel::Schema() const {
  json::array required;
  json::object properties;
  for (const auto& f : fields_) {
    if (f.required) required.emplace_back(f.name);
    properties[f.name] = PropertySchema(f);
  }
  json::object schema{{"type", "object"}};
  if (!required.empty()) schema["required"] = std::move(required);
  schema["properties"] = std::move(properties);
  return schema;
}

void RequestModel::Document(json::object& schemas) const { schemas[name_] = Schema(); }

ParsedForm RequestModel::Parse(const http::Request& req) const {
  const std::string* type = req.Header("content-type");
  return Parse(type ? *type : "", req.body);
}

ParsedForm RequestModel::Parse(std::string_view content_type, std::string_view body) const {
  auto form = http::ParseForm(content_type, body);
  if (!form) return http::ValidationError({{"body"}, form.status().message(), "value_error"});
  // Present: a list field repeated at least once; any other field with a value, or (required) at
  // all, so that an empty required number is a parsing error rather than "missing".
  auto present = [&form](const Field& f) {
    if (f.type == FieldType::kStringList) return form->Field(f.name) != nullptr;
    if (f.type == FieldType::kFile) return form->Field(f.name) != nullptr;
    const std::string* v = form->Get(f.name);
    return v && (f.required || !v->empty());
  };
  for (const auto& f : fields_)
    if (f.required && !present(f))
      return http::ValidationError({{"body", f.name}, "Field required", "missing"});
  FormValues values;
  for (const auto& f : fields_) {
    if (!present(f)) {
      if (auto d = DefaultOf(f)) values.Set(f.name, std::move(*d));
      continue;
    }
    if (auto refusal = ReadValue(f, *form, values)) return std::move(*refusal);
  }
  return values;
}

http::Response RequestModel::Refusal(const Status& s) const {
  if (!s.field().empty())
    for (const auto& f : fields_)
      if (f.name == s.field()) return FieldRefusal(f, s.message(), "value_error");
  return http::FromStatus(s);
}

}  // namespace sfapid::api
