// A request model declared once: the form it parses (types, defaults, lists, files), each of
// FastAPI's per-field 422s in the order the SFAPI answered them, a service's InvalidField as the
// same 422, and the OpenAPI schema derived from the same declaration.
#include "api/request_model.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sfapid::api {
namespace {

namespace json = boost::json;

const char* kForm = "application/x-www-form-urlencoded";

const RequestModel& Model() {
  static const RequestModel model(
      "Body_example",
      {{.name = "job", .required = true, .description = "The script"},
       {.name = "isPath", .type = FieldType::kBoolean, .required = true},
       {.name = "args", .type = FieldType::kStringList, .default_value = json::array{}},
       {.name = "nodes", .type = FieldType::kInteger, .minimum = 1, .maximum = 100},
       {.name = "name", .max_length = 3},
       {.name = "action", .choices = {"add", "remove", "list"}},
       {.name = "label", .default_value = "none"}});
  return model;
}

// The single 422 entry of a refusal, serialized.
std::string Refusal(const ParsedForm& form) {
  EXPECT_FALSE(form);
  if (form) return "";
  EXPECT_EQ(form.refusal().status, 422);
  const json::value v = json::parse(form.refusal().body);
  const json::array& detail = v.at("detail").as_array();
  EXPECT_EQ(detail.size(), 1u);
  return json::serialize(detail.at(0));
}

TEST(RequestModel, ParsesEachTypeAndAppliesDefaults) {
  auto form = Model().Parse(kForm, "job=run.sh&isPath=TRUE&args=a&args=&nodes=%2012%20&action=add");
  ASSERT_TRUE(form) << form.refusal().body;
  EXPECT_EQ(form->String("job"), "run.sh");
  EXPECT_EQ(form->Bool("isPath"), true);
  EXPECT_EQ(form->Strings("args"), (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(form->Int("nodes"), 12);
  EXPECT_EQ(form->String("action"), "add");
  EXPECT_EQ(form->String("label"), "none");  // the default
  EXPECT_FALSE(form->Has("name"));
  EXPECT_EQ(form->String("name"), "");
}

TEST(RequestModel, AnEmptyOptionalValueIsAbsentAnEmptyRequiredStringIsKept) {
  auto form = Model().Parse(kForm, "job=&isPath=0&nodes=&label=");
  ASSERT_TRUE(form) << form.refusal().body;
  EXPECT_EQ(form->String("job"), "");
  EXPECT_EQ(form->Bool("isPath"), false);
  EXPECT_FALSE(form->Int("nodes"));
  EXPECT_EQ(form->String("label"), "none");
  EXPECT_TRUE(form->Strings("args").empty());
}

TEST(RequestModel, MissingFieldsComeFirstInDeclarationOrder) {
  EXPECT_EQ(Refusal(Model().Parse(kForm, "nodes=x")),
            R"({"loc":["body","job"],"msg":"Field required","type":"missing"})");
  EXPECT_EQ(Refusal(Model().Parse(kForm, "job=a&nodes=x")),
            R"({"loc":["body","isPath"],"msg":"Field required","type":"missing"})");
}

TEST(RequestModel, EachKindOfBadValueHasFastApisWords) {
  EXPECT_EQ(Refusal(Model().Parse(kForm, "job=a&isPath=")),
            R"({"loc":["body","isPath"],"msg":"Input should be a valid boolean, unable to )"
            R"(interpret input","type":"bool_parsing"})");
  EXPECT_EQ(Refusal(Model().Parse(kForm, "job=a&isPath=1&nodes=1.5")),
            R"({"loc":["body","nodes"],"msg":"Input should be a valid integer, unable to parse )"
            R"(string as an integer","type":"int_parsing"})");
  EXPECT_EQ(Refusal(Model().Parse(kForm, "job=a&isPath=1&nodes=0")),
            R"({"loc":["body","nodes"],"msg":"Input should be greater than or equal to 1",)"
            R"("type":"greater_than_equal"})");
  EXPECT_EQ(Refusal(Model().Parse(kForm, "job=a&isPath=1&nodes=101")),
            R"({"loc":["body","nodes"],"msg":"Input should be less than or equal to 100",)"
            R"("type":"less_than_equal"})");
  // Characters, not bytes: "äbc" fits in 3.
  EXPECT_TRUE(Model().Parse(kForm, "job=a&isPath=1&name=%C3%A4bc"));
  EXPECT_EQ(Refusal(Model().Parse(kForm, "job=a&isPath=1&name=abcd")),
            R"({"loc":["body","name"],"msg":"String should have at most 3 characters",)"
            R"("type":"string_too_long"})");
  EXPECT_EQ(Refusal(Model().Parse(kForm, "job=a&isPath=1&action=drop")),
            R"({"loc":["body","action"],"msg":"Input should be 'add', 'remove' or 'list'",)"
            R"("type":"enum"})");
  // The first bad value in declaration order answers.
  EXPECT_NE(Refusal(Model().Parse(kForm, "job=a&isPath=1&action=drop&nodes=0")).find("nodes"),
            std::string::npos);
}

TEST(RequestModel, AnUnreadableBodyIsAValueError) {
  const std::string r = Refusal(Model().Parse("application/json", "{}"));
  EXPECT_EQ(r.find(R"({"loc":["body"],"msg":")"), 0u) << r;
  EXPECT_NE(r.find(R"("type":"value_error")"), std::string::npos) << r;
}

TEST(RequestModel, AFileFieldReadsAMultipartPart) {
  const RequestModel upload("Body_upload",
                            {{.name = "file", .type = FieldType::kFile, .required = true}});
  EXPECT_TRUE(upload.multipart());
  EXPECT_FALSE(Model().multipart());
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n\x01\x02\r\n--XyZ--\r\n";
  auto form = upload.Parse("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(form) << form.refusal().body;
  EXPECT_EQ(form->String("file"), "\x01\x02");
  EXPECT_EQ(Refusal(upload.Parse("multipart/form-data; boundary=XyZ",
                                 "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\n"
                                 "x\r\n--XyZ--\r\n")),
            R"({"loc":["body","file"],"msg":"Field required","type":"missing"})");
}

TEST(RequestModel, AServicesInvalidFieldIsThe422OfThatField) {
  const http::Response r = Model().Refusal(Status::InvalidField("job", "no such script"));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body,
            R"({"detail":[{"loc":["body","job"],"msg":"no such script","type":"value_error"}]})");
  // A field the model does not have, or no field: the Status's own answer.
  EXPECT_EQ(Model().Refusal(Status::InvalidField("other", "x")).status, 400);
  EXPECT_EQ(Model().Refusal(Status::NotFound("Unknown machine")).status, 404);
}

TEST(RequestModel, TheSchemaIsDerivedFromTheSameFields) {
  const json::object schema = Model().Schema();
  EXPECT_EQ(schema.at("type"), "object");
  EXPECT_EQ(schema.at("required"), (json::array{"job", "isPath"}));
  const json::object& p = schema.at("properties").as_object();
  EXPECT_EQ(p.at("job"), (json::object{{"type", "string"}, {"description", "The script"}}));
  EXPECT_EQ(p.at("isPath"), (json::object{{"type", "boolean"}}));
  EXPECT_EQ(p.at("args"), (json::object{{"type", "array"},
                                        {"items", json::object{{"type", "string"}}},
                                        {"default", json::array{}}}));
  EXPECT_EQ(p.at("nodes"), (json::object{{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}));
  EXPECT_EQ(p.at("name"), (json::object{{"type", "string"}, {"maxLength", 3}}));
  EXPECT_EQ(p.at("action"),
            (json::object{{"type", "string"}, {"enum", json::array{"add", "remove", "list"}}}));
  EXPECT_EQ(p.at("label"), (json::object{{"type", "string"}, {"default", "none"}}));
  const RequestModel upload("Body_upload",
                            {{.name = "file", .type = FieldType::kFile, .required = true}});
  EXPECT_EQ(upload.Schema().at("properties").at("file"),
            (json::object{{"type", "string"}, {"format", "binary"}}));
  // No required field: no "required" list (OpenAPI 3.0 refuses an empty one).
  EXPECT_FALSE(RequestModel("Body_patch", {{.name = "x"}}).Schema().contains("required"));
  json::object schemas;
  Model().Document(schemas);
  EXPECT_EQ(schemas.at("Body_example"), schema);
}

}  // namespace
}  // namespace sfapid::api
