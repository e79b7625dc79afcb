#include "core/files/path_commands.h"

#include <algorithm>

#include "core/files/file_programs.h"

namespace sfapid {

std::vector<std::string> ChecksumArgv(const std::string& path) {
  return {programs::kSha256sum, "--zero", "--", path};
}

std::optional<std::string> ParseChecksum(std::string_view output) {
  if (output.size() < 64) return std::nullopt;
  const std::string_view hex = output.substr(0, 64);
  const bool all_hex = std::all_of(hex.begin(), hex.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (!all_hex) return std::nullopt;
  return std::string(hex);
}

std::vector<std::string> RemoveArgv(const std::string& path) {
  return {programs::kRm, "--recursive", "--", path};
}

std::vector<std::string> MakeDirArgv(const std::string& path, bool parents) {
  std::vector<std::string> argv{programs::kMkdir};
  if (parents) argv.emplace_back("--parents");
  argv.insert(argv.end(), {"--", path});
  return argv;
}

std::vector<std::string> SymlinkArgv(const std::string& target, const std::string& link_path) {
  return {programs::kLn, "--symbolic", "--no-target-directory", "--", target, link_path};
}

std::vector<std::string> MoveArgv(const std::string& source, const std::string& target) {
  return {programs::kMv, "--no-target-directory", "--", source, target};
}

std::vector<std::string> CopyArgv(const std::string& source, const std::string& target,
                                  bool dereference) {
  return {programs::kCp,
          "--recursive",
          "--no-target-directory",
          dereference ? "--dereference" : "--no-dereference",
          "--",
          source,
          target};
}

Status CheckMode(const std::string& mode) {
  const bool octal =
      !mode.empty() && mode.size() <= 4 &&
      std::all_of(mode.begin(), mode.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!octal) return Status::InvalidField("mode", "mode must be an octal mode, such as 755");
  return Status::Ok();
}

std::vector<std::string> ChangeModeArgv(const std::string& path, const std::string& mode) {
  return {programs::kChmod, "--", mode, path};
}

Status CheckOwner(const std::string& owner, const std::string& group) {
  for (const auto& [field, value] : {std::pair{"owner", &owner}, {"group", &group}})
    if (value->find_first_of(std::string_view(":\0", 2)) != std::string::npos)
      return Status::InvalidField(field, std::string(field) + " must be a name or a number");
  return Status::Ok();
}

std::vector<std::string> ChangeOwnerArgv(const std::string& path, const std::string& owner,
                                         const std::string& group) {
  std::string spec = owner;
  if (!group.empty()) {
    spec += ':';
    spec += group;
  }
  return {programs::kChown, "--", spec, path};
}

}  // namespace sfapid
