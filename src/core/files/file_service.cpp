#include "core/files/file_service.h"

#include <boost/json.hpp>

#include "core/files/system_with_files.h"
#include "util/base64.h"
#include "util/utf8.h"

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

Result<json::object> FileService::List(const std::string& user, const std::string& system,
                                       const std::string& path) {
  // The listing travels in the reply's header line: a folder of 100 000 entries is ~20 MB.
  auto reply = Ask(user, system, {{"op", "ls"}, {"path", path}}, "", std::size_t{256} << 20);
  if (!reply) return reply.status();
  if (!reply->ok())
    return json::object{{"status", "ERROR"}, {"entries", json::array{}}, {"error", reply->error()}};
  json::value* listing = reply->header.if_contains("listing");
  if (!listing || !listing->is_object())
    return Status::Unavailable("the worker's listing is missing");
  return std::move(listing->as_object());
}

Result<json::object> FileService::Download(const std::string& user, const std::string& system,
                                           const std::string& path, bool binary) {
  const std::size_t limit = utilities_.download_max_bytes;
  auto reply =
      Ask(user, system,
          {{"op", "read"}, {"path", path}, {"max_bytes", static_cast<int64_t>(limit)}}, "", limit);
  if (!reply) return reply.status();
  if (!reply->ok())
    return json::object{
        {"status", "ERROR"}, {"file", nullptr}, {"is_binary", binary}, {"error", reply->error()}};
  // Text that is not UTF-8 cannot travel in JSON as it is: it goes base64-encoded like binary.
  const bool as_binary = binary || !IsValidUtf8(reply->body);
  return json::object{{"status", "OK"},
                      {"file", as_binary ? Base64Encode(reply->body) : reply->body},
                      {"is_binary", as_binary},
                      {"error", nullptr}};
}

Result<json::object> FileService::Upload(const std::string& user, const std::string& system,
                                         const std::string& path, const std::string& content) {
  if (content.size() > utilities_.upload_max_bytes)
    return json::object{{"status", "ERROR"},
                        {"output", ""},
                        {"error", "upload: the file is " + std::to_string(content.size()) +
                                      " bytes; uploads are limited to " +
                                      std::to_string(utilities_.upload_max_bytes) + " bytes"}};
  auto reply =
      Ask(user, system,
          {{"op", "write"}, {"path", path}, {"size", static_cast<int64_t>(content.size())}},
          content, 0);
  if (!reply) return reply.status();
  if (!reply->ok())
    return json::object{{"status", "ERROR"}, {"output", ""}, {"error", reply->error()}};
  return json::object{{"status", "OK"},
                      {"output", "wrote " + std::to_string(content.size()) + " bytes to " + path},
                      {"error", nullptr}};
}

}  // namespace sfapid
