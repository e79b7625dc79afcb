#include "api/openapi/operation.h"

#include <boost/json.hpp>

namespace sfapid::openapi {

namespace json = boost::json;

json::object Ref(const std::string& schema_name) {
  return {{"$ref", "#/components/schemas/" + schema_name}};
}

json::object ArrayOf(json::value items) { return {{"type", "array"}, {"items", std::move(items)}}; }

json::object StringSchema(const std::string& description) {
  json::object s{{"type", "string"}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json::object NullableString() {
  return {{"anyOf", json::array{json::object{{"type", "string"}}, json::object{{"type", "null"}}}}};
}

json::object EnumSchema(std::initializer_list<const char*> values) {
  json::array e;
  for (const char* v : values) e.emplace_back(v);
  return {{"type", "string"}, {"enum", std::move(e)}};
}

Operation::Operation(std::string summary, std::string tag, std::string operation_id) {
  op_["summary"] = std::move(summary);
  op_["tags"] = json::array{json::value(std::move(tag))};
  op_["operationId"] = std::move(operation_id);
  op_["parameters"] = json::array{};
  op_["responses"] = json::object{};
  // FastAPI documents these on every operation; so do we (clients generated from NERSC's document
  // expect them).
  Error(404, "Not found");
  Error(422, "Validation Error");
}

Operation& Operation::Description(const std::string& text) {
  op_["description"] = text;
  return *this;
}

Operation& Operation::PathParam(const std::string& name, const std::string& description,
                                json::object schema) {
  op_["parameters"].as_array().push_back(json::object{{"name", name},
                                                      {"in", "path"},
                                                      {"required", true},
                                                      {"description", description},
                                                      {"schema", std::move(schema)}});
  return *this;
}

Operation& Operation::QueryParam(const std::string& name, json::object schema,
                                 const std::string& description, bool required) {
  op_["parameters"].as_array().push_back(json::object{{"name", name},
                                                      {"in", "query"},
                                                      {"required", required},
                                                      {"description", description},
                                                      {"schema", std::move(schema)}});
  return *this;
}

Operation& Operation::FormBody(const std::string& schema_name) {
  op_["requestBody"] = json::object{
      {"required", true},
      {"content", {{"application/x-www-form-urlencoded", {{"schema", Ref(schema_name)}}}}}};
  return *this;
}

Operation& Operation::MultipartBody(const std::string& schema_name) {
  op_["requestBody"] = json::object{
      {"required", true}, {"content", {{"multipart/form-data", {{"schema", Ref(schema_name)}}}}}};
  return *this;
}

Operation& Operation::Body(const std::string& media_type, json::object schema) {
  op_["requestBody"] = json::object{{"required", true},
                                    {"content", {{media_type, {{"schema", std::move(schema)}}}}}};
  return *this;
}

Operation& Operation::ReturnsMedia(int status, const std::string& media_type,
                                   const std::string& description,
                                   std::initializer_list<const char*> headers) {
  json::object response{
      {"description", description},
      {"content", {{media_type, {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
  json::object named;
  for (const char* h : headers) named[h] = json::object{{"schema", {{"type", "string"}}}};
  if (!named.empty()) response["headers"] = std::move(named);
  op_["responses"].as_object()[std::to_string(status)] = std::move(response);
  return *this;
}

Operation& Operation::Returns(json::value schema, const std::string& description) {
  op_["responses"].as_object()["200"] =
      json::object{{"description", description},
                   {"content", {{"application/json", {{"schema", std::move(schema)}}}}}};
  return *this;
}

Operation& Operation::Error(int status, const std::string& description) {
  json::value schema =
      status == 422 ? json::value(Ref("HTTPValidationError")) : json::value(Ref("HTTPError"));
  op_["responses"].as_object()[std::to_string(status)] = json::object{
      {"description", description}, {"content", {{"application/json", {{"schema", schema}}}}}};
  return *this;
}

json::object Operation::Build() const { return op_; }

}  // namespace sfapid::openapi
