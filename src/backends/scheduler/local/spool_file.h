// Small files in a job's spool folder (job.json, result.json, supervisor.pid): written whole or
// not at all, read whole.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/status.h"

namespace sfapid::local {

// Written to PATH.tmp and renamed over PATH, never through a symlink.
Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode);

// The file's text, "" when it cannot be read.
std::string ReadSmallFile(const std::string& path);

}  // namespace sfapid::local
