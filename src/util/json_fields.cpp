#include "util/json_fields.h"

#include <boost/json.hpp>

namespace sfapid {

namespace json = boost::json;

namespace {

Result<const json::value*> Field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return Status::InvalidArgument("field '" + std::string(key) + "' is missing");
  return v;
}

Status WrongType(std::string_view key, const char* expected) {
  return Status::InvalidArgument("field '" + std::string(key) + "' is not " + expected);
}

}  // namespace

Result<std::string> StringField(const json::object& o, std::string_view key) {
  auto v = Field(o, key);
  if (!v) return v.status();
  if (!(*v)->is_string()) return WrongType(key, "a string");
  return std::string((*v)->as_string());
}

Result<int64_t> IntField(const json::object& o, std::string_view key) {
  auto v = Field(o, key);
  if (!v) return v.status();
  if ((*v)->is_int64()) return (*v)->as_int64();
  if ((*v)->is_uint64() && (*v)->as_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>((*v)->as_uint64());
  return WrongType(key, "a whole number");
}

Result<bool> BoolField(const json::object& o, std::string_view key) {
  auto v = Field(o, key);
  if (!v) return v.status();
  if (!(*v)->is_bool()) return WrongType(key, "true or false");
  return (*v)->as_bool();
}

Result<const json::array*> ArrayField(const json::object& o, std::string_view key) {
  auto v = Field(o, key);
  if (!v) return v.status();
  if (!(*v)->is_array()) return WrongType(key, "a list");
  return &(*v)->as_array();
}

}  // namespace sfapid
