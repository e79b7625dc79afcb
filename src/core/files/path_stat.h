// stat and file type for the IRI's filesystem operations, with coreutils' stat: a --format of
// numbers only (the name is never in the output, so no name can be misread), and %F's words for the
// type ("directory", "regular file", "symbolic link", ...), since `file` is not in a bare Debian.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/files/path_results.h"

namespace sfapid {

// stat's command line: of the symlink itself, or (dereference) of what it points to.
std::vector<std::string> StatArgv(const std::string& path, bool dereference);
// The numbers StatArgv's stat prints; nullopt when the output is not that.
std::optional<PathStat> ParseStat(std::string_view output);

// file's command line describing `path` ("directory", "ASCII text", "symbolic link to x").
std::vector<std::string> TypeArgv(const std::string& path);
// The type's words, without the newline.
std::string ParseType(std::string_view output);

}  // namespace sfapid
