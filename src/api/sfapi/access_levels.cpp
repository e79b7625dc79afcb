#include "api/sfapi/access_levels.h"

#include <string_view>

namespace sfapid::sfapi {

namespace {

struct Entry {
  const char* method;
  const char* path;  // a trailing '*' matches any rest
  std::optional<Level> level;
  bool creates = false;
  api::AfterInterruption after_interruption = api::AfterInterruption::kRunAgain;
};

constexpr std::optional<Level> kPublic = std::nullopt;
constexpr std::optional<Level> kGreen = Level::kGreen;  // reads
constexpr std::optional<Level> kYellow =
    Level::kYellow;                                 // changes: jobs, uploads, groups, transfers
constexpr std::optional<Level> kRed = Level::kRed;  // running commands
constexpr bool kCreates = true;
constexpr api::AfterInterruption kRefusedAfterInterruption = api::AfterInterruption::kRefuse;

const Entry kTable[] = {
    {"GET", "/status*", kPublic},
    {"GET", "/meta/*", kPublic},
    {"GET", "/openapi.json", kPublic},
    {"GET", "/account", kGreen},
    {"GET", "/account/projects", kGreen},
    {"GET", "/account/roles", kGreen},
    {"GET", "/account/groups", kGreen},
    {"GET", "/account/groups/{group}", kGreen},
    {"GET", "/account/clients", kGreen},
    {"POST", "/account/groups", kYellow},
    {"PUT", "/account/groups/{group}", kYellow},
    {"GET", "/compute/jobs/{machine}", kGreen},
    {"GET", "/compute/jobs/{machine}/{jobid}", kGreen},
    {"POST", "/compute/jobs/{machine}", kYellow, kCreates},
    {"DELETE", "/compute/jobs/{machine}/{jobid}", kYellow},
    {"GET", "/compute/callbacks/secret", kYellow},
    {"GET", "/compute/reservations/{machine}", kGreen},
    {"GET", "/compute/reservations/{machine}/{id}", kGreen},
    {"GET", "/compute/reservations/{machine}/{id}/history", kGreen},
    {"POST", "/compute/reservations/{machine}", kYellow, kCreates, kRefusedAfterInterruption},
    {"PATCH", "/compute/reservations/{machine}/{id}", kYellow},
    {"DELETE", "/compute/reservations/{machine}/{id}", kYellow},
    {"GET", "/utilities/ls/{machine}/{path:path}", kGreen},
    {"GET", "/utilities/download/{machine}/{path:path}", kGreen},
    {"PUT", "/utilities/upload/{machine}/{path:path}", kYellow, kCreates},
    {"POST", "/utilities/command/{machine}", kRed, kCreates},
    {"GET", "/utilities/files/{machine}/{path:path}", kGreen},
    {"POST", "/utilities/uploads", kYellow, kCreates},
    {"GET", "/utilities/uploads/{upload_id}", kGreen},
    {"PUT", "/utilities/uploads/{upload_id}", kYellow},
    {"POST", "/utilities/uploads/{upload_id}/complete", kYellow},
    {"DELETE", "/utilities/uploads/{upload_id}", kYellow},
    {"GET", "/tasks", kGreen},
    {"GET", "/tasks/{id}", kGreen},
    {"DELETE", "/tasks/{id}", kYellow},
    {"POST", "/storage/globus/transfer", kYellow, kCreates, kRefusedAfterInterruption},
    {"GET", "/storage/globus/transfer/{id}", kGreen},
    {"DELETE", "/storage/globus/transfer/{id}", kYellow},
    {"GET", "/events", kGreen},
};

}  // namespace

AccessRule AccessRuleFor(const std::string& method, const std::string& path) {
  std::string_view p = path;
  if (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  for (const auto& e : kTable) {
    if (method != e.method) continue;
    std::string_view pattern = e.path;
    const bool prefix = !pattern.empty() && pattern.back() == '*';
    if (prefix ? p.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1)
               : p == pattern)
      return {true, e.level, e.creates, e.after_interruption};
  }
  return {};
}

}  // namespace sfapid::sfapi
