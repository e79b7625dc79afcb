#include "api/sfapi/file_replies.h"

#include <boost/json.hpp>

#include "util/base64.h"
#include "util/utf8.h"

namespace sfapid::sfapi {

namespace json = boost::json;

json::object DirectoryEntryJson(const DirectoryEntry& e) {
  return {{"perms", e.permissions}, {"hardlinks", e.hardlinks}, {"user", e.owner},
          {"group", e.group},       {"size", e.size},           {"date", FormatIso8601(e.modified)},
          {"name", e.name}};
}

json::object DirectoryOutputJson(const DirectoryListing& listing) {
  if (listing.error)
    return {{"status", "ERROR"}, {"entries", json::array{}}, {"error", *listing.error}};
  json::array entries;
  entries.reserve(listing.entries.size());
  for (const auto& e : listing.entries) entries.push_back(DirectoryEntryJson(e));
  return {{"status", "OK"}, {"entries", std::move(entries)}, {"error", nullptr}};
}

json::object FileDownloadJson(const FileContent& content, bool binary) {
  if (content.error)
    return {
        {"status", "ERROR"}, {"file", nullptr}, {"is_binary", binary}, {"error", *content.error}};
  const bool as_binary = binary || !IsValidUtf8(content.bytes);
  return {{"status", "OK"},
          {"file", as_binary ? Base64Encode(content.bytes) : content.bytes},
          {"is_binary", as_binary},
          {"error", nullptr}};
}

json::object UploadResultJson(const UploadOutcome& outcome) {
  if (outcome.error) return {{"status", "ERROR"}, {"output", ""}, {"error", *outcome.error}};
  return {
      {"status", "OK"},
      {"output", "wrote " + std::to_string(outcome.bytes_written) + " bytes to " + outcome.path},
      {"error", nullptr}};
}

}  // namespace sfapid::sfapi
