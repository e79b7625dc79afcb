// A folder listing as it travels from the privileged worker to the server, inside the worker
// protocol's reply line. Internal names (not the API's): the API renders DirectoryEntry itself.
#pragma once

#include <boost/json/array.hpp>
#include <vector>

#include "domain/directory_entry.h"
#include "util/status.h"

namespace sfapid {

// [{"permissions", "hardlinks", "owner", "group", "size", "modified" (Unix seconds), "name"}]
boost::json::array EncodeListing(const std::vector<DirectoryEntry>& entries);
// The entries back, or an error naming the first malformed field.
Result<std::vector<DirectoryEntry>> DecodeListing(const boost::json::array& encoded);

}  // namespace sfapid
