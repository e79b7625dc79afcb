#include "core/files/path_stat.h"

#include <charconv>

#include "core/files/file_programs.h"

namespace sfapid {

namespace {

// %f is the raw mode in hex (with the type bits); %X %Y %Z are atime, mtime and ctime.
constexpr const char* kStatFormat = "--format=%f %i %d %h %u %g %s %X %Y %Z";

bool ToInt(std::string_view text, int64_t& out, int base = 10) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (auto [end, ec] = std::from_chars(first, last, out, base); ec == std::errc() && end == last)
    return !text.empty();
  // Inode and device numbers are unsigned 64-bit: one past INT64_MAX keeps its bits.
  uint64_t wide = 0;
  auto [end, ec] = std::from_chars(first, last, wide, base);
  out = static_cast<int64_t>(wide);
  return !text.empty() && ec == std::errc() && end == last;
}

}  // namespace

std::vector<std::string> StatArgv(const std::string& path, bool dereference) {
  std::vector<std::string> argv{programs::kStat};
  if (dereference) argv.emplace_back("--dereference");
  argv.insert(argv.end(), {kStatFormat, "--", path});
  return argv;
}

std::optional<PathStat> ParseStat(std::string_view output) {
  if (!output.empty() && output.back() == '\n') output.remove_suffix(1);
  std::vector<std::string_view> words;
  for (size_t start = 0; start <= output.size();) {
    size_t end = output.find(' ', start);
    if (end == std::string_view::npos) end = output.size();
    words.push_back(output.substr(start, end - start));
    start = end + 1;
  }
  if (words.size() != 10) return std::nullopt;
  PathStat s;
  int64_t* in_order[] = {&s.ino,  &s.dev,   &s.nlink, &s.uid,  &s.gid,
                         &s.size, &s.atime, &s.mtime, &s.ctime};
  if (!ToInt(words[0], s.mode, 16)) return std::nullopt;
  for (size_t i = 0; i < 9; ++i)
    if (!ToInt(words[i + 1], *in_order[i])) return std::nullopt;
  return s;
}

std::vector<std::string> TypeArgv(const std::string& path) {
  // file(1) as the user: "directory", "ASCII text", "ELF 64-bit LSB executable, ...", what users
  // expect of the spec's `file`. Not following symlinks: a link is "symbolic link to ...".
  return {programs::kFile, "--brief", "--", path};
}

std::string ParseType(std::string_view output) {
  while (!output.empty() && output.back() == '\n') output.remove_suffix(1);
  return std::string(output);
}

}  // namespace sfapid
