// ls, download and upload on a system, as the user (spec §2.5 and §5). Operational failures (no
// such file, permission denied, too large) come back in-band as {"status": "ERROR", "error": ...},
// which sfapi_client relies on; only a bad system or user is an HTTP error (the Status).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "config/config.h"

namespace sfapid {

class FileService {
 public:
  // systems: where files are, with their roots; utilities: the upload and download limits.
  FileService(const std::vector<SystemConfig>& systems, const UtilitiesConfig& utilities,
              RunAs& runas)
      : systems_(systems), utilities_(utilities), runas_(runas) {}

  // DirectoryOutput: {"status", "entries", "error"}
  Result<boost::json::object> List(const std::string& user, const std::string& system,
                                   const std::string& path);
  // FileDownload: {"status", "file", "is_binary", "error"}
  Result<boost::json::object> Download(const std::string& user, const std::string& system,
                                       const std::string& path, bool binary);
  // UploadResult: {"status", "output", "error"}
  Result<boost::json::object> Upload(const std::string& user, const std::string& system,
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
