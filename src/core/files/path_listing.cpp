#include "core/files/path_listing.h"

#include <algorithm>
#include <charconv>

#include "core/files/file_programs.h"

namespace sfapid {

namespace {

// Per entry, each field ended by a NUL: permissions as ls shows them, hard links, owner, group,
// size, modification time (seconds with a fraction), type letter, path below the listed one ("" for
// the listed path itself), symlink target ("" for anything else).
constexpr int kFields = 9;

std::string Format(bool numeric_ids) {
  return numeric_ids ? "%M\\0%n\\0%U\\0%G\\0%s\\0%T@\\0%y\\0%P\\0%l\\0"
                     : "%M\\0%n\\0%u\\0%g\\0%s\\0%T@\\0%y\\0%P\\0%l\\0";
}

// find -path matches like fnmatch: a literal path needs its pattern characters escaped.
std::string GlobEscaped(const std::string& path) {
  std::string escaped;
  for (char c : path) {
    if (c == '\\' || c == '*' || c == '?' || c == '[') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

bool ToInt(std::string_view text, int64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::vector<std::string> ListingArgv(const std::string& path, const ListingOptions& options) {
  std::vector<std::string> argv{programs::kFind};
  if (options.dereference) argv.emplace_back("-L");
  argv.insert(argv.end(), {"--", path});
  if (!options.recursive) argv.insert(argv.end(), {"-maxdepth", "1"});
  // Hidden entries below the listed path are skipped, and not entered: a .git of a million files
  // costs nothing. The listed path itself is shown even when its own name is hidden.
  if (!options.show_hidden)
    argv.insert(argv.end(),
                {"(", "-name", ".*", "!", "-path", GlobEscaped(path), "-prune", ")", "-o"});
  argv.insert(argv.end(), {"-printf", Format(options.numeric_ids)});
  return argv;
}

std::vector<std::string> DescribeArgv(const std::string& path) {
  return {programs::kFind, "--", path, "-maxdepth", "0", "-printf", Format(false)};
}

Result<std::vector<DirectoryEntry>> ParseListing(std::string_view output, const std::string& path,
                                                 ListingUse use) {
  std::vector<std::string_view> fields;
  for (size_t start = 0; start < output.size();) {
    const size_t end = output.find('\0', start);
    if (end == std::string_view::npos)
      return Status::InvalidArgument("find's listing ends in the middle of an entry");
    fields.push_back(output.substr(start, end - start));
    start = end + 1;
  }
  if (fields.size() % kFields != 0)
    return Status::InvalidArgument("find's listing has a partial entry");
  std::vector<DirectoryEntry> entries;
  for (size_t i = 0; i < fields.size(); i += kFields) {
    const std::string_view* f = &fields[i];
    DirectoryEntry e;
    e.permissions = std::string(f[0]);
    e.owner = std::string(f[2]);
    e.group = std::string(f[3]);
    // "1700000000.1234567890": whole seconds, as ls shows them.
    const std::string_view when = f[5].substr(0, f[5].find('.'));
    int64_t seconds = 0;
    if (e.permissions.empty() || !ToInt(f[1], e.hardlinks) || !ToInt(f[4], e.size) ||
        !ToInt(when, seconds))
      return Status::InvalidArgument("find's listing has a malformed entry");
    e.modified = TimePoint{std::chrono::seconds{seconds}};
    const bool is_start = f[7].empty();
    // A folder given to list is its contents, not an entry.
    if (is_start && use == ListingUse::kContents && f[6] == "d") continue;
    e.name = is_start ? path : std::string(f[7]);
    if (e.permissions[0] == 'l') {
      e.name += " -> ";
      e.name += f[8];
    }
    entries.push_back(std::move(e));
  }
  if (use == ListingUse::kContents)
    std::sort(entries.begin(), entries.end(),
              [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.name < b.name; });
  return entries;
}

}  // namespace sfapid
