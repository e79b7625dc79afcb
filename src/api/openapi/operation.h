// Builds OpenAPI 3.1 operation objects beside the routes they describe, so the document at
// /api/v1.2/openapi.json is generated from the same table the server routes with.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

namespace sfapid::openapi {

// {"$ref": "#/components/schemas/<name>"}
boost::json::object Ref(const std::string& schema_name);
boost::json::object ArrayOf(boost::json::value items);
boost::json::object StringSchema(const std::string& description = "");
boost::json::object EnumSchema(std::initializer_list<const char*> values);
// A string that may be null (pydantic's Optional[str]).
boost::json::object NullableString();

class Operation {
 public:
  Operation(std::string summary, std::string tag, std::string operation_id);

  Operation& Description(const std::string& text);
  Operation& PathParam(const std::string& name, const std::string& description,
                       boost::json::object schema = StringSchema());
  Operation& QueryParam(const std::string& name, boost::json::object schema,
                        const std::string& description, bool required = false);
  // Request body: a form (application/x-www-form-urlencoded) or an upload (multipart/form-data)
  // described by a component schema.
  Operation& FormBody(const std::string& schema_name);
  Operation& MultipartBody(const std::string& schema_name);
  // Any other body: a schema under a media type (application/json, application/octet-stream).
  Operation& Body(const std::string& media_type, boost::json::object schema);
  Operation& Returns(boost::json::value schema,
                     const std::string& description = "Successful Response");
  Operation& Error(int status, const std::string& description);
  // A success that is not JSON (a file's bytes): status, media type and the response headers.
  Operation& ReturnsMedia(int status, const std::string& media_type, const std::string& description,
                          std::initializer_list<const char*> headers = {});

  boost::json::object Build() const;

 private:
  boost::json::object op_;
};

}  // namespace sfapid::openapi
