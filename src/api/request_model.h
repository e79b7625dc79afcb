// A request body (an urlencoded or multipart form) declared once, as a list of fields, from which
// both its OpenAPI component schema and its parser are derived, so the document and the server
// cannot disagree. Parsing answers FastAPI's per-field 422s (http::ValidationError), as the SFAPI
// clients expect:
//
//   missing        {"loc": ["body", name], "msg": "Field required", "type": "missing"}
//   int_parsing    not a whole number          greater_than_equal / less_than_equal  limits
//   bool_parsing   not a pydantic boolean      string_too_long   over max_length characters
//   enum           not one of `choices`        value_error       the form itself is unreadable
//
// Required fields are checked for presence first, then every field's value in declaration order,
// and the first problem is the answer. An empty value of an optional field counts as absent (its
// default applies); an empty required string is "" and an empty required number or boolean is a
// parsing error. What a value means (a valid URL, a group name...) is the service's to judge: it
// answers a Status::InvalidField naming the field, which Refusal() turns into the same 422.
//
// Example (a POST form; fields are designated initializers, in Field's member order). Each API
// file keeps its models in function-local statics (see compute_api.cpp's SubmitJobForm()):
//
//   const api::RequestModel& ReservationForm() {
//     static const api::RequestModel model("Body_create_reservation", {
//         {.name = "nodes", .type = api::FieldType::kInteger, .required = true,
//          .description = "How many nodes", .minimum = 1},
//         {.name = "start", .required = true, .description = "ISO 8601 date and time"},
//         {.name = "users", .type = api::FieldType::kStringList, .description = "Repeat per user"},
//         {.name = "partition", .default_value = "regular"}});
//     return model;
//   }
//   ReservationForm().Document(ctx.schemas);  // components.schemas.Body_create_reservation
//   .operation = Operation(...).FormBody(ReservationForm().name())  // MultipartBody if multipart()
//   handler:
//     auto form = ReservationForm().Parse(req);
//     if (!form) return form.refusal();
//     ReservationRequest r{*form->Int("nodes"), form->String("start"), form->Strings("users"),
//                          form->String("partition")};
//     auto id = reservations.Create(r);
//     if (!id) return ReservationForm().Refusal(id.status());  // InvalidField("start") → 422
//
// A PATCH model lists the same fields, none required and without defaults, and the handler asks
// Has(name) to tell "leave it" from a new value.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/message.h"
#include "util/status.h"

namespace sfapid::api {

enum class FieldType {
  kString,
  kInteger,
  kBoolean,
  kStringList,  // the field repeated, "args=a&args=b"
  kFile,        // a multipart part's bytes; the body is then documented as multipart/form-data
};

struct Field {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;
  std::string description;
  boost::json::value default_value = nullptr;  // documented, and given when absent; null: none
  std::optional<std::size_t> max_length;       // strings: at most this many characters
  std::optional<int64_t> minimum;              // integers: at least
  std::optional<int64_t> maximum;              // integers: at most
  std::vector<std::string> choices;            // strings: one of these (an enum)
};

// The values of a parsed form, by field name. A field that was absent and has no default reads
// as "", nullopt or [] and Has() is false.
class FormValues {
 public:
  using Value = std::variant<std::string, int64_t, bool, std::vector<std::string>>;

  bool Has(std::string_view name) const { return values_.find(name) != values_.end(); }
  // kString and kFile fields.
  const std::string& String(std::string_view name) const;
  std::optional<int64_t> Int(std::string_view name) const;
  std::optional<bool> Bool(std::string_view name) const;
  const std::vector<std::string>& Strings(std::string_view name) const;

  void Set(const std::string& name, Value v) { values_[name] = std::move(v); }

 private:
  std::map<std::string, Value, std::less<>> values_;
};

// A parsed form, or the 422 that refuses it.
class ParsedForm {
 public:
  ParsedForm(FormValues values) : v_(std::move(values)) {}        // NOLINT: implicit, like Result
  ParsedForm(http::Response refusal) : v_(std::move(refusal)) {}  // NOLINT
  explicit operator bool() const { return std::holds_alternative<FormValues>(v_); }
  const FormValues& operator*() const { return std::get<FormValues>(v_); }
  const FormValues* operator->() const { return &std::get<FormValues>(v_); }
  const http::Response& refusal() const { return std::get<http::Response>(v_); }

 private:
  std::variant<FormValues, http::Response> v_;
};

class RequestModel {
 public:
  // schema_name: the component schema's name, e.g. FastAPI's "Body_<operation id>".
  RequestModel(std::string schema_name, std::vector<Field> fields);

  const std::string& name() const { return name_; }
  const std::vector<Field>& fields() const { return fields_; }
  bool multipart() const;  // has a kFile field

  // {"type": "object", "required": [...], "properties": {...}}
  boost::json::object Schema() const;
  // schemas[name()] = Schema()
  void Document(boost::json::object& schemas) const;

  // The request's body read against the fields: the values, or the 422 of the first problem.
  ParsedForm Parse(const http::Request& req) const;
  ParsedForm Parse(std::string_view content_type, std::string_view body) const;

  // A service's refusal in the API's words: an InvalidField naming one of these fields is a 422
  // at ["body", field] (type value_error); any other Status is http::FromStatus's answer.
  http::Response Refusal(const Status& s) const;

 private:
  std::string name_;
  std::vector<Field> fields_;
};

}  // namespace sfapid::api
