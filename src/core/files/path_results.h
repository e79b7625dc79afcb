// What PathOperations answers (IRI v2 filesystem operations, spec §4): typed values each API
// renders in its own words (api/iri: FileStat, FileContent, File). As with FileService
// (file_results.h), an operational failure (no such file, permission denied, too large) is the
// result's `error`, in the program's own words; only a bad system, user or argument is a Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sfapid {

// The spec's OPS_SIZE_LIMIT: the most one head, tail or view returns (5 MiB).
inline constexpr int64_t kOpsSizeLimit = 5 * 1024 * 1024;

// stat(2)'s numbers as Python's os.stat_result has them (the reference implementation's FileStat):
// `mode` with the file-type bits (0100644 for a regular file), times in whole Unix seconds.
struct PathStat {
  int64_t mode = 0, ino = 0, dev = 0, nlink = 0, uid = 0, gid = 0, size = 0, atime = 0, ctime = 0,
          mtime = 0;

  bool operator==(const PathStat&) const = default;
};

// A part of a file (FileContent): `content` as the file has it, and where it lies in the file,
// counted in bytes, or in lines when `lines`: [start, end), end exclusive.
struct ByteSlice {
  std::string content;
  int64_t start = 0, end = 0;
  bool lines = false;

  bool operator==(const ByteSlice&) const = default;
};

// An operation's value, or its `error` in its own words ("stat: cannot statx '/x': No such file or
// directory"); the user sees "Error: <error>".
template <typename T>
struct PathResult {
  T value{};
  std::optional<std::string> error;
};

enum class Compression { kNone, kGzip, kBzip2, kXz };

}  // namespace sfapid
