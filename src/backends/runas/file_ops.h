// File operations as the SFAPI's utilities define them (ls -la semantics, download, upload), run
// inside the privilege-dropped worker process, so the kernel checks every access against the
// user's own credentials.
#pragma once

#include <string>
#include <vector>

#include "domain/directory_entry.h"
#include "util/status.h"

namespace sfapid::fileops {

// Is the path, with ".." and every symlink resolved, inside one of the roots? For a path that
// does not exist yet, its parent folder is resolved. Returns the error the user sees otherwise.
Status CheckRoots(const std::string& path, const std::vector<std::string>& roots);
// Is a path already resolved (no symlink, no "..") inside one of the roots?
bool InsideRoots(const std::string& resolved, const std::vector<std::string>& roots);

// ls -la of a folder (".", ".." and the rest by name), a file or a symlink; the error says "ls:
// ...".
Result<std::vector<DirectoryEntry>> List(const std::string& path);

// The file's bytes, at most max_bytes.
Result<std::string> Read(const std::string& path, std::size_t max_bytes);

// Replaces (or creates) the file with content: written to a temporary file beside it and renamed,
// so a failed upload never leaves a half-written file. Writes through symlinks.
Status Write(const std::string& path, const std::string& content);

}  // namespace sfapid::fileops
