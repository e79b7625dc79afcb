// One entry of a folder listing (ls -la): what the privileged worker reads with lstat and each API
// renders in its own words (SFAPI v1.2's DirectoryEntry: api/sfapi/file_replies.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "util/time_format.h"

namespace sfapid {

struct DirectoryEntry {
  std::string permissions;  // as ls -l shows them, e.g. "drwxr-xr-x"
  int64_t hardlinks = 0;
  std::string owner;  // user name, or the uid when it has none
  std::string group;  // group name, or the gid when it has none
  int64_t size = 0;
  TimePoint modified;
  std::string name;  // "." and ".." included; a symlink is "name -> target"

  bool operator==(const DirectoryEntry&) const = default;
};

}  // namespace sfapid
