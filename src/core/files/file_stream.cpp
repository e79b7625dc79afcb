#include "core/files/file_stream.h"

#include <cstdio>

#include "core/files/system_with_files.h"

namespace sfapid {

std::string FileEtag(const UserFile& file) {
  char tag[96];
  std::snprintf(
      tag, sizeof tag, "\"%llx-%llx-%llx-%llx\"", static_cast<unsigned long long>(file.dev),
      static_cast<unsigned long long>(file.ino), static_cast<unsigned long long>(file.size),
      static_cast<unsigned long long>(file.mtime_ns));
  return tag;
}

Result<boost::json::array> RootsOf(const std::vector<SystemConfig>& systems,
                                   const std::string& system) {
  auto s = SystemWithFiles(systems, system);
  if (!s) return s.status();
  boost::json::array roots;
  for (const auto& r : (*s)->roots) roots.emplace_back(r);
  return roots;
}

Result<UserFile> FileStreams::OpenForReading(const std::string& user, const std::string& system,
                                             const std::string& path) {
  auto roots = RootsOf(systems_, system);
  if (!roots) return roots.status();
  if (path.find('\0') != std::string::npos)
    return Status::InvalidArgument("the path contains a NUL byte");
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  return runas_.OpenFile(*who, path, *roots, fileops::OpenIntent::kRead);
}

}  // namespace sfapid
