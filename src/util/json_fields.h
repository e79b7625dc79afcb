// Checked reads of a JSON object's fields, for messages sfapid exchanges with its own processes
// (workers, job supervisors) and files it keeps: a missing or mistyped field is a Status that
// names it, where boost::json's at()/as_*() would throw past every layer.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sfapid {

Result<std::string> StringField(const boost::json::object& o, std::string_view key);
Result<int64_t> IntField(const boost::json::object& o, std::string_view key);
Result<bool> BoolField(const boost::json::object& o, std::string_view key);
// The array, or an error; the pointer lives as long as `o`.
Result<const boost::json::array*> ArrayField(const boost::json::object& o, std::string_view key);

}  // namespace sfapid
