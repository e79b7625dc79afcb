// The IRI v2 filesystem operations (spec §4: ls, stat, file, head, tail, view, checksum, rm, mkdir,
// symlink, mv, cp, chmod, chown, compress, extract), each run as the calling user by the standard
// program that does it (stat, find, head, tar, ...: user_program.h), with no shell, every path
// checked against the system's roots by the worker before the program starts, and the task's
// cancellation, [utilities] command_timeout_seconds and an output cap watched while it runs.
//
// Every method answers NotFound for an unknown system, InvalidArgument for a system without files
// (core/files/system_with_files.h), PermissionDenied when the user cannot be acted as, and
// InvalidField for an argument the operation cannot take (a mode, a regex, a count); everything
// else (no such file, permission denied, too large, a path outside the roots, cancelled) is the
// PathResult's `error`, in the program's own words.
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "config/config.h"
#include "core/files/file_service.h"
#include "core/files/path_results.h"
#include "core/files/user_program.h"
#include "core/tasks/task_engine.h"
#include "domain/directory_entry.h"

namespace sfapid {

class PathOperations {
 public:
  // systems: where files are, with their roots; utilities: the time limit and the listing cap.
  PathOperations(const std::vector<SystemConfig>& systems, const UtilitiesConfig& utilities,
                 RunAs& runas, FileService& files)
      : systems_(systems), utilities_(utilities), runas_(runas), files_(files) {}

  // A folder's entries (never "." or ".."), or a file as itself, as `ls -l` shows them; recursive:
  // the whole tree, each entry named by its path below the folder. show_hidden: names starting
  // with '.' (without it, hidden folders are not entered); dereference: symlinks followed;
  // numeric_uid: owners and groups as numbers. At most [utilities] command_output_max_bytes of
  // listing.
  Result<PathResult<std::vector<DirectoryEntry>>> List(TaskContext& task, const std::string& user,
                                                       const std::string& system,
                                                       const std::string& path, bool show_hidden,
                                                       bool recursive, bool dereference,
                                                       bool numeric_uid = false);
  Result<PathResult<PathStat>> Stat(TaskContext& task, const std::string& user,
                                    const std::string& system, const std::string& path,
                                    bool dereference);
  // What file(1) says: "directory", "ASCII text", "empty", "symbolic link to /x", ...
  Result<PathResult<std::string>> Type(TaskContext& task, const std::string& user,
                                       const std::string& system, const std::string& path);
  // The first `bytes` or `lines` (exactly one, >= 0); skip_trailing: all but the last N (head -c
  // -N, head -n -N). At most 5 MiB (kOpsSizeLimit).
  Result<PathResult<ByteSlice>> Head(TaskContext& task, const std::string& user,
                                     const std::string& system, const std::string& path,
                                     std::optional<int64_t> bytes, std::optional<int64_t> lines,
                                     bool skip_trailing);
  // The last `bytes` or `lines` (exactly one, >= 1); skip_heading: all but the first N, as the
  // reference implementation documents it (tail -c +(N+1), tail -n +(N+1)), so the content starts
  // at position N. At most 5 MiB.
  Result<PathResult<ByteSlice>> Tail(TaskContext& task, const std::string& user,
                                     const std::string& system, const std::string& path,
                                     std::optional<int64_t> bytes, std::optional<int64_t> lines,
                                     bool skip_heading);
  // Bytes [offset, offset + size), size at most 5 MiB.
  Result<PathResult<ByteSlice>> View(TaskContext& task, const std::string& user,
                                     const std::string& system, const std::string& path,
                                     int64_t offset, int64_t size);
  // The SHA-256 of a file's content, lowercase hex.
  Result<PathResult<std::string>> Checksum(TaskContext& task, const std::string& user,
                                           const std::string& system, const std::string& path);
  // rm -r: a folder with everything in it; a symlink itself. The value says what was removed.
  Result<PathResult<std::string>> Remove(TaskContext& task, const std::string& user,
                                         const std::string& system, const std::string& path);

  // Each of these answers the resulting path as `ls -ld` shows it: the created folder, the link,
  // the target, the archive, the folder extracted into.
  Result<PathResult<DirectoryEntry>> MakeDir(TaskContext& task, const std::string& user,
                                             const std::string& system, const std::string& path,
                                             bool parents);
  // A symlink at link_path pointing to target (both absolute and inside the roots).
  Result<PathResult<DirectoryEntry>> Symlink(TaskContext& task, const std::string& user,
                                             const std::string& system, const std::string& target,
                                             const std::string& link_path);
  // mv and cp make `target` itself (--no-target-directory): an existing folder there is not
  // entered (mv fails unless it is empty; cp of a folder merges into it).
  Result<PathResult<DirectoryEntry>> Move(TaskContext& task, const std::string& user,
                                          const std::string& system, const std::string& source,
                                          const std::string& target);
  // Folders recursively; dereference: symlinks copied as what they point to.
  Result<PathResult<DirectoryEntry>> Copy(TaskContext& task, const std::string& user,
                                          const std::string& system, const std::string& source,
                                          const std::string& target, bool dereference);
  // mode: octal ("755"); anything else is InvalidField("mode").
  Result<PathResult<DirectoryEntry>> ChangeMode(TaskContext& task, const std::string& user,
                                                const std::string& system, const std::string& path,
                                                const std::string& mode);
  // owner, group: names or numbers, "" leaves it as it is. The kernel decides, as the user: only
  // root gives files away; a group must be one of the user's.
  Result<PathResult<DirectoryEntry>> ChangeOwner(TaskContext& task, const std::string& user,
                                                 const std::string& system, const std::string& path,
                                                 const std::string& owner,
                                                 const std::string& group);
  // A tar archive at target of source (a file or a folder, stored under its own name);
  // match_pattern: only the files whose absolute path matches this POSIX extended regex, wholly
  // (as find -regex; a bad one is InvalidField("match_pattern"); "" is none).
  Result<PathResult<DirectoryEntry>> Compress(TaskContext& task, const std::string& user,
                                              const std::string& system, const std::string& source,
                                              const std::string& target,
                                              std::optional<std::string> match_pattern,
                                              bool dereference, Compression compression);
  // Extracts the archive into target_dir, made first when missing (mkdir -p).
  Result<PathResult<DirectoryEntry>> Extract(TaskContext& task, const std::string& user,
                                             const std::string& system, const std::string& archive,
                                             const std::string& target_dir,
                                             Compression compression);

 private:
  // The account and the system's roots an operation runs with.
  struct Caller {
    UnixIdentity who;
    boost::json::array roots;
  };
  Result<Caller> Resolve(const std::string& user, const std::string& system);
  // Runs one program as the caller, once `paths` (what it touches) pass PathProblem; the worker
  // checks them against the roots.
  ProgramOutput Run(TaskContext& task, const Caller& caller, const std::vector<std::string>& argv,
                    const std::vector<std::string>& paths, const ProgramLimits& limits);
  // [utilities] command_timeout_seconds, and a 1 MiB stdout for what prints a line or two.
  ProgramLimits Limits() const;
  // `path` as `ls -ld` shows it.
  PathResult<DirectoryEntry> Describe(TaskContext& task, const Caller& caller,
                                      const std::string& path);
  // A change's outcome: its error, or the resulting path described.
  PathResult<DirectoryEntry> Changed(TaskContext& task, const Caller& caller,
                                     const ProgramOutput& change, const std::string& result_path);
  // head, tail or view's part of `path`, found at `start`, at most kOpsSizeLimit.
  Result<PathResult<ByteSlice>> Slice(TaskContext& task, const std::string& user,
                                      const std::string& system, const std::string& path,
                                      const std::vector<std::string>& argv, bool lines,
                                      int64_t start);

  const std::vector<SystemConfig>& systems_;
  const UtilitiesConfig& utilities_;
  RunAs& runas_;
  // Kept for the interface's sake: every operation here runs a program, even the listings (find
  // lists a tree, and describes one path without reading a whole folder).
  [[maybe_unused]] FileService& files_;
};

}  // namespace sfapid
