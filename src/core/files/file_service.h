// ls, download and upload on a system, as the user (spec §2.5 and §5). Operational failures (no
// such file, permission denied, too large) are the result's `error` (file_results.h); only a bad
// system or user is a Status.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "config/config.h"
#include "core/files/file_results.h"

namespace sfapid {

class FileService {
 public:
  // systems: where files are, with their roots; utilities: the upload and download limits.
  FileService(const std::vector<SystemConfig>& systems, const UtilitiesConfig& utilities,
              RunAs& runas)
      : systems_(systems), utilities_(utilities), runas_(runas) {}

  Result<DirectoryListing> List(const std::string& user, const std::string& system,
                                const std::string& path);
  // At most [utilities] download_max_bytes.
  Result<FileContent> Download(const std::string& user, const std::string& system,
                               const std::string& path);
  // At most [utilities] upload_max_bytes; replaces the file.
  Result<UploadOutcome> Upload(const std::string& user, const std::string& system,
                               const std::string& path, const std::string& content);

 private:
  // Resolves system and user, then asks a worker; in-band errors are the worker's message.
  Result<WorkerReply> Ask(const std::string& user, const std::string& system,
                          boost::json::object request, const std::string& input,
                          std::size_t body_limit);
  const std::vector<SystemConfig>& systems_;
  const UtilitiesConfig& utilities_;
  RunAs& runas_;
};

}  // namespace sfapid
