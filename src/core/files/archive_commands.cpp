#include "core/files/archive_commands.h"

#include <regex>

#include "core/files/file_programs.h"

namespace sfapid {

namespace {

constexpr std::size_t kMaxPatternLength = 1024;

const char* CompressionOption(Compression c) {
  switch (c) {
    case Compression::kGzip:
      return "--gzip";
    case Compression::kBzip2:
      return "--bzip2";
    case Compression::kXz:
      return "--xz";
    case Compression::kNone:
      break;
  }
  return nullptr;
}

// "--file=" with the archive: one argument, so never read as anything else; --force-local, so a
// ':' in the name never makes it a remote archive.
void AddArchive(std::vector<std::string>& argv, const std::string& archive, Compression c) {
  if (const char* option = CompressionOption(c)) argv.emplace_back(option);
  std::string file = "--file=";
  file += archive;
  argv.insert(argv.end(), {"--force-local", file});
}

}  // namespace

Result<ArchiveSource> SplitArchiveSource(const std::string& source) {
  std::string path = source;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return Status::InvalidArgument("the source must be absolute");
  ArchiveSource split{path, slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
  if (split.name.empty() || split.name == "." || split.name == "..") {
    std::string why = "compress: '";
    why += source;
    why += "' has no name to archive it under; name the file or folder itself";
    return Status::InvalidArgument(why);
  }
  return split;
}

Status CheckMatchPattern(const std::string& pattern) {
  if (pattern.size() > kMaxPatternLength)
    return Status::InvalidField("match_pattern", "match_pattern is longer than 1024 characters");
  if (pattern.find('\0') != std::string::npos)
    return Status::InvalidField("match_pattern", "match_pattern contains a NUL byte");
  try {
    // Compiled once to check it (libstdc++ bounds its size); find matches, in the user's process.
    std::regex compiled(pattern, std::regex::extended);
  } catch (const std::regex_error& e) {
    std::string why = "match_pattern is not a valid regular expression: ";
    why += e.what();
    return Status::InvalidField("match_pattern", why);
  }
  return Status::Ok();
}

std::vector<std::string> MatchArgv(const ArchiveSource& source, const std::string& pattern,
                                   bool dereference) {
  std::vector<std::string> argv{programs::kFind};
  if (dereference) argv.emplace_back("-L");
  argv.insert(argv.end(), {"--", source.path, "-regextype", "posix-extended", "!", "-type", "d",
                           "-regex", pattern, "-print0"});
  return argv;
}

Result<std::vector<std::string>> ArchiveNames(std::string_view found, const ArchiveSource& source) {
  std::vector<std::string> names;
  std::size_t bytes = 0;
  for (size_t start = 0; start < found.size();) {
    size_t end = found.find('\0', start);
    if (end == std::string_view::npos) end = found.size();
    const std::string_view path = found.substr(start, end - start);
    start = end + 1;
    // find prints the source as given, then "/" and the rest.
    if (path.substr(0, source.path.size()) != source.path) continue;
    std::string name = source.name;
    name += path.substr(source.path.size());
    bytes += name.size() + 1 + sizeof(char*);
    if (bytes > kArchiveNamesMaxBytes)
      return Status::InvalidArgument(
          "compress: the files match_pattern selects have more than 1 MiB of names; narrow the "
          "pattern, or compress the folder whole");
    names.push_back(std::move(name));
  }
  if (names.empty()) {
    std::string why = "compress: nothing under ";
    why += source.path;
    why += " matches match_pattern";
    return Status::InvalidArgument(why);
  }
  return names;
}

std::vector<std::string> CompressArgv(const std::string& target, const ArchiveSource& source,
                                      const std::vector<std::string>& names, bool dereference,
                                      Compression compression) {
  std::vector<std::string> argv{programs::kTar, "--create"};
  AddArchive(argv, target, compression);
  if (dereference) argv.emplace_back("--dereference");
  if (!names.empty()) argv.emplace_back("--no-recursion");
  std::string directory = "--directory=";
  directory += source.parent;
  argv.insert(argv.end(), {directory, "--"});
  if (names.empty())
    argv.push_back(source.name);
  else
    argv.insert(argv.end(), names.begin(), names.end());
  return argv;
}

std::vector<std::string> ExtractArgv(const std::string& archive, const std::string& target_dir,
                                     Compression compression) {
  std::vector<std::string> argv{programs::kTar, "--extract"};
  AddArchive(argv, archive, compression);
  std::string directory = "--directory=";
  directory += target_dir;
  argv.insert(argv.end(), {"--no-same-owner", directory});
  return argv;
}

}  // namespace sfapid
