// A small declared JSON body for the IRI filesystem operations: each field's name, type, whether
// it is required and its lower bound. One declaration gives the check (400 naming each bad
// field; keys not declared are ignored, as the spec says) and the OpenAPI schema.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/iri/problem.h"

namespace sfapid::iri {

struct BodyField {
  enum Type { kString, kBool, kInt } type = kString;
  std::string name;
  bool required = false;
  int64_t min = 0;  // kInt; kString: the least length
  std::optional<boost::json::value> default_value;
  std::string description;
};

class BodyValues {
 public:
  explicit BodyValues(boost::json::object o) : o_(std::move(o)) {}
  std::optional<std::string> String(const std::string& name) const;
  std::optional<int64_t> Int(const std::string& name) const;
  bool Bool(const std::string& name, bool fallback = false) const;
  const boost::json::object& object() const { return o_; }

 private:
  boost::json::object o_;
};

// The body checked against the fields, or the 400 answer.
std::variant<BodyValues, http::Response> CheckBody(const http::Request& req,
                                                   const std::vector<BodyField>& fields);
boost::json::object BodySchema(const std::vector<BodyField>& fields);

}  // namespace sfapid::iri
