// The standard programs the filesystem operations run as the user. Absolute, because the worker
// execs argv[0] as given (no PATH search: a user's ~/bin never stands in for them); /usr/bin
// holds them all on Debian 12 and its derivatives (merged /usr; coreutils, findutils, tar).
#pragma once

namespace sfapid::programs {

inline constexpr const char* kStat = "/usr/bin/stat";
inline constexpr const char* kFile = "/usr/bin/file";  // Debian package `file`
inline constexpr const char* kFind = "/usr/bin/find";
inline constexpr const char* kHead = "/usr/bin/head";
inline constexpr const char* kTail = "/usr/bin/tail";
inline constexpr const char* kWc = "/usr/bin/wc";
inline constexpr const char* kDd = "/usr/bin/dd";
inline constexpr const char* kSha256sum = "/usr/bin/sha256sum";
inline constexpr const char* kRm = "/usr/bin/rm";
inline constexpr const char* kMkdir = "/usr/bin/mkdir";
inline constexpr const char* kLn = "/usr/bin/ln";
inline constexpr const char* kMv = "/usr/bin/mv";
inline constexpr const char* kCp = "/usr/bin/cp";
inline constexpr const char* kChmod = "/usr/bin/chmod";
inline constexpr const char* kChown = "/usr/bin/chown";
inline constexpr const char* kTar = "/usr/bin/tar";

}  // namespace sfapid::programs
