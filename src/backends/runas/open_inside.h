// Opening a user's file for the server to stream through (large downloads and resumable uploads),
// inside the worker as the user: the kernel checks the open against the user's credentials, and
// the opened file's own path (/proc/self/fd) is checked against the roots after the open, so no
// symlink or rename between a check and the open can lead outside them.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "util/status.h"
#include "util/unique_fd.h"

namespace sfapid::fileops {

enum class OpenIntent {
  kRead,     // an existing regular file, read-only
  kNewPart,  // an upload's hidden part file, made now (0600; it must not exist), read-write
  kPart,     // that part file again: read-write, never a symlink, and still the one made for the
             // upload (owned by the user, one link), not something put in its place
};

// The worker protocol's word for each intent, and back (kRead for anything else).
const char* IntentName(OpenIntent intent);
OpenIntent IntentNamed(const std::string& name);

struct OpenedFile {
  UniqueFd fd;
  struct stat st {};
};

Result<OpenedFile> OpenInside(const std::string& path, const std::vector<std::string>& roots,
                              OpenIntent intent);

// Renames a finished part file onto its target (both checked against the roots), with the mode a
// new file gets through the API (0666 less the worker's umask, 022: 0644), replacing what was
// there. The part must still be the user's own regular file with one link.
Status CommitPart(const std::string& part, const std::string& target,
                  const std::vector<std::string>& roots);

// Removes a part file (a symlink or folder there is left alone); a missing one is fine.
Status RemovePart(const std::string& part, const std::vector<std::string>& roots);

}  // namespace sfapid::fileops
