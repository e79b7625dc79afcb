// What FileService answers: typed results, rendered on the wire by each API (SFAPI v1.2's
// DirectoryOutput, FileDownload and UploadResult: api/sfapi/file_replies.cpp). An operational
// failure (no such file, permission denied, too large) is `error`, which the SFAPI reports in-band
// and sfapi_client relies on; only a bad system or user is a Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/directory_entry.h"

namespace sfapid {

struct DirectoryListing {
  std::vector<DirectoryEntry> entries;  // empty on error
  std::optional<std::string> error;     // "ls: cannot access ..."
};

struct FileContent {
  std::string bytes;  // the file as it is; how it travels (text or base64) is the API's choice
  std::optional<std::string> error;
};

struct UploadOutcome {
  std::string path;
  std::size_t bytes_written = 0;
  std::optional<std::string> error;
};

}  // namespace sfapid
