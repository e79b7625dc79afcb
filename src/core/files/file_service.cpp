#include "core/files/file_service.h"

#include <boost/json.hpp>

#include "backends/runas/listing_codec.h"
#include "core/files/system_with_files.h"
#include "util/json_fields.h"

namespace sfapid {

namespace json = boost::json;

Result<WorkerReply> FileService::Ask(const std::string& user, const std::string& system,
                                     json::object request, const std::string& input,
                                     std::size_t body_limit) {
  auto s = SystemWithFiles(systems_, system);
  if (!s) return s.status();
  const json::value* path = request.if_contains("path");
  if (path && path->as_string().find('\0') != json::string::npos)
    return WorkerReply{
        {{"ok", false}, {"code", "invalid_argument"}, {"error", "the path contains a NUL byte"}},
        ""};
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  json::array roots;
  for (const auto& r : (*s)->roots) roots.emplace_back(r);
  request["roots"] = std::move(roots);
  return runas_.Call(*who, request, input, body_limit);
}

Result<DirectoryListing> FileService::List(const std::string& user, const std::string& system,
                                           const std::string& path) {
  // The listing travels in the reply's header line: a folder of 100 000 entries is ~20 MB.
  auto reply = Ask(user, system, {{"op", "ls"}, {"path", path}}, "", std::size_t{256} << 20);
  if (!reply) return reply.status();
  if (!reply->ok()) return DirectoryListing{{}, reply->error()};
  auto encoded = ArrayField(reply->header, "entries");
  if (!encoded) return Status::Unavailable("the worker's listing: " + encoded.status().message());
  auto entries = DecodeListing(**encoded);
  if (!entries) return Status::Unavailable("the worker's listing: " + entries.status().message());
  return DirectoryListing{std::move(*entries), std::nullopt};
}

Result<FileContent> FileService::Download(const std::string& user, const std::string& system,
                                          const std::string& path) {
  const std::size_t limit = utilities_.download_max_bytes;
  auto reply =
      Ask(user, system,
          {{"op", "read"}, {"path", path}, {"max_bytes", static_cast<int64_t>(limit)}}, "", limit);
  if (!reply) return reply.status();
  if (!reply->ok()) return FileContent{"", reply->error()};
  return FileContent{std::move(reply->body), std::nullopt};
}

Result<UploadOutcome> FileService::Upload(const std::string& user, const std::string& system,
                                          const std::string& path, const std::string& content) {
  if (content.size() > utilities_.upload_max_bytes)
    return UploadOutcome{path, 0,
                         "upload: the file is " + std::to_string(content.size()) +
                             " bytes; uploads are limited to " +
                             std::to_string(utilities_.upload_max_bytes) + " bytes"};
  auto reply =
      Ask(user, system,
          {{"op", "write"}, {"path", path}, {"size", static_cast<int64_t>(content.size())}},
          content, 0);
  if (!reply) return reply.status();
  if (!reply->ok()) return UploadOutcome{path, 0, reply->error()};
  return UploadOutcome{path, content.size(), std::nullopt};
}

}  // namespace sfapid
