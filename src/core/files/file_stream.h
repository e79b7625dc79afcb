// Files of any size, read (sfapid extension, docs/large-files.md): the user's file opened by a
// worker as the user and handed to the server, which streams it (sendfile) with no limit from
// memory, and the strong ETag a resumed download checks the file against.
#pragma once

#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "config/config.h"

namespace sfapid {

// The ETag of a file as opened: device, inode, size and modification time, so a file that was
// replaced or changed gets another.
std::string FileEtag(const UserFile& file);

class FileStreams {
 public:
  FileStreams(const std::vector<SystemConfig>& systems, RunAs& runas)
      : systems_(systems), runas_(runas) {}

  // A regular file inside the system's roots that the user may read. NotFound, PermissionDenied
  // (the kernel's refusal, or outside the roots), InvalidArgument (a folder, a device).
  Result<UserFile> OpenForReading(const std::string& user, const std::string& system,
                                  const std::string& path);

 private:
  const std::vector<SystemConfig>& systems_;
  RunAs& runas_;
};

// The roots of a system that holds files, as the worker takes them; with the system's checks.
Result<boost::json::array> RootsOf(const std::vector<SystemConfig>& systems,
                                   const std::string& system);

}  // namespace sfapid
