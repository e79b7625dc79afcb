// File operations as the SFAPI's utilities define them (ls -la semantics, download, upload), run
// inside the privilege-dropped worker process, so the kernel checks every access against the
// user's own credentials.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "domain/directory_entry.h"
#include "util/status.h"

namespace sfapid::fileops {

// Is the path, with ".." and every symlink resolved, inside one of the roots? For a path that
// does not exist yet, its parent folder is resolved. Returns the error the user sees otherwise.
// The early, friendly check: each operation below checks again what it opened (held_name.h), so
// a path changed between the two cannot lead out of the roots.
Status CheckRoots(const std::string& path, const std::vector<std::string>& roots);
// Is a path already resolved (no symlink, no "..") inside one of the roots?
bool InsideRoots(const std::string& resolved, const std::vector<std::string>& roots);

// ls -la of a folder (".", ".." and the rest by name), a file or a symlink; the error says "ls:
// ...".
Result<std::vector<DirectoryEntry>> List(const std::string& path,
                                         const std::vector<std::string>& roots);

// The file's bytes, at most max_bytes.
Result<std::string> Read(const std::string& path, const std::vector<std::string>& roots,
                         std::size_t max_bytes);

// Replaces (or creates) the file with content: written to a temporary file beside it and renamed,
// so a failed upload never leaves a half-written file. Writes through symlinks. The file keeps
// its mode, a new one gets 0666 less the umask, unless mode is given.
Status Write(const std::string& path, const std::string& content,
             const std::vector<std::string>& roots, std::optional<mode_t> mode = std::nullopt);

}  // namespace sfapid::fileops
