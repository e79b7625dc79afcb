// FileService's typed results in SFAPI v1.2's words (spec §2.5): DirectoryOutput, FileDownload and
// UploadResult, each {"status": "OK" | "ERROR", ..., "error"} with failures in-band.
#pragma once

#include <boost/json/object.hpp>

#include "core/files/file_results.h"

namespace sfapid::sfapi {

// {"perms", "hardlinks", "user", "group", "size", "date", "name"}
boost::json::object DirectoryEntryJson(const DirectoryEntry& e);
// {"status", "entries", "error"}
boost::json::object DirectoryOutputJson(const DirectoryListing& listing);
// {"status", "file", "is_binary", "error"}. Text that is not UTF-8 cannot travel in JSON as it
// is: it goes base64-encoded like binary, and says so.
boost::json::object FileDownloadJson(const FileContent& content, bool binary);
// {"status", "output", "error"}
boost::json::object UploadResultJson(const UploadOutcome& outcome);

}  // namespace sfapid::sfapi
