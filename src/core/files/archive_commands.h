// compress and extract for the IRI's filesystem operations, with GNU tar. An archive holds the
// source under its own name (tar --directory=<parent> -- <name>), as `tar -C parent -c name` makes
// it. A match_pattern (a POSIX extended regex, matched like find -regex against each file's whole
// absolute path) selects files with find, run as the user like everything else, so that a costly
// pattern costs the user's own time limit, never a server thread; the names found go to tar as
// arguments, which bounds how many there may be.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/files/path_results.h"
#include "util/status.h"

namespace sfapid {

// The most find may print for a match_pattern, and the most the names it selects may take on
// tar's command line (with their pointers: well under Linux's 2 MiB for arguments).
inline constexpr std::size_t kMatchOutputMaxBytes = 4 << 20;
inline constexpr std::size_t kArchiveNamesMaxBytes = 1 << 20;

struct ArchiveSource {
  std::string path;    // the source without trailing slashes
  std::string parent;  // the folder tar enters
  std::string name;    // what the archive holds
};

// InvalidArgument (the user's error, in-band) for a source that has no name of its own: "/", or
// one ending in "." or "..".
Result<ArchiveSource> SplitArchiveSource(const std::string& source);

// InvalidField("match_pattern") unless a POSIX extended regex (std::regex's, close to find's),
// at most 1024 characters.
Status CheckMatchPattern(const std::string& pattern);
// find printing, NUL-separated, every non-folder under the source whose path matches.
std::vector<std::string> MatchArgv(const ArchiveSource& source, const std::string& pattern,
                                   bool dereference);
// The names relative to the source's parent in MatchArgv's output. InvalidArgument (in-band)
// when there is none, or when they are more than kArchiveNamesMaxBytes.
Result<std::vector<std::string>> ArchiveNames(std::string_view found, const ArchiveSource& source);

// tar creating `target` from the source, or only from `names` (MatchArgv's, then without
// recursion: a folder is never a selected name). dereference: symlinks archived as what they point
// to.
std::vector<std::string> CompressArgv(const std::string& target, const ArchiveSource& source,
                                      const std::vector<std::string>& names, bool dereference,
                                      Compression compression);
// tar extracting `archive` into the folder `target_dir`, owned by the user (never by the
// archive's owners).
std::vector<std::string> ExtractArgv(const std::string& archive, const std::string& target_dir,
                                     Compression compression);

}  // namespace sfapid
