#include "core/files/path_operations.h"

#include <chrono>
#include <string_view>

#include "core/files/archive_commands.h"
#include "core/files/checked_paths.h"
#include "core/files/content_slice.h"
#include "core/files/path_commands.h"
#include "core/files/path_listing.h"
#include "core/files/path_stat.h"
#include "core/files/system_with_files.h"

namespace sfapid {

namespace {

template <typename T>
PathResult<T> Failed(std::string error) {
  return PathResult<T>{T{}, std::move(error)};
}

// "program: why", built with += (GCC 12 warns falsely on "literal" + std::string).
std::string Said(const char* program, const std::string& why) {
  std::string said = program;
  said += ": ";
  said += why;
  return said;
}

// At most the spec's limit, and what head, tail or view says past it.
ProgramLimits SliceLimits(ProgramLimits limits, std::string_view program) {
  limits.max_stdout = kOpsSizeLimit;
  limits.too_large = program.substr(program.rfind('/') + 1);
  limits.too_large += ": the output is larger than 5 MiB (5242880 bytes); ask for less";
  return limits;
}

}  // namespace

Result<PathOperations::Caller> PathOperations::Resolve(const std::string& user,
                                                       const std::string& system) {
  auto s = SystemWithFiles(systems_, system);
  if (!s) return s.status();
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  boost::json::array roots;
  for (const auto& r : (*s)->roots) roots.emplace_back(r);
  return Caller{std::move(*who), std::move(roots)};
}

ProgramLimits PathOperations::Limits() const {
  ProgramLimits limits;
  limits.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(utilities_.command_timeout_seconds * 1000));
  return limits;
}

ProgramOutput PathOperations::Run(TaskContext& task, const Caller& caller,
                                  const std::vector<std::string>& argv,
                                  const std::vector<std::string>& paths,
                                  const ProgramLimits& limits) {
  for (const auto& p : paths)
    if (auto problem = PathProblem(p)) return {"", std::move(problem)};
  return RunUserProgram(runas_, caller.who, task, argv, CheckedPaths(paths, caller.roots), limits);
}

PathResult<DirectoryEntry> PathOperations::Describe(TaskContext& task, const Caller& caller,
                                                    const std::string& path) {
  auto run = Run(task, caller, DescribeArgv(path), {path}, Limits());
  if (run.error) return Failed<DirectoryEntry>(*run.error);
  auto entries = ParseListing(run.out, path, ListingUse::kItself);
  if (!entries) return Failed<DirectoryEntry>(Said("find", entries.status().message()));
  if (entries->size() != 1) return Failed<DirectoryEntry>(Said("find", path + ": not listed"));
  return {std::move(entries->front()), std::nullopt};
}

PathResult<DirectoryEntry> PathOperations::Changed(TaskContext& task, const Caller& caller,
                                                   const ProgramOutput& change,
                                                   const std::string& result_path) {
  if (change.error) return Failed<DirectoryEntry>(*change.error);
  return Describe(task, caller, result_path);
}

Result<PathResult<std::vector<DirectoryEntry>>> PathOperations::List(
    TaskContext& task, const std::string& user, const std::string& system, const std::string& path,
    bool show_hidden, bool recursive, bool dereference, bool numeric_uid) {
  using Listing = std::vector<DirectoryEntry>;
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  ProgramLimits limits = Limits();
  limits.max_stdout = utilities_.command_output_max_bytes;
  limits.too_large = "ls: the listing is larger than ";
  limits.too_large += std::to_string(limits.max_stdout);
  limits.too_large += " bytes; list a smaller folder";
  const ListingOptions options{show_hidden, recursive, dereference, numeric_uid};
  auto run = Run(task, *caller, ListingArgv(path, options), {path}, limits);
  if (run.error) return Failed<Listing>(*run.error);
  auto entries = ParseListing(run.out, path, ListingUse::kContents);
  if (!entries) return Failed<Listing>(Said("find", entries.status().message()));
  return PathResult<Listing>{std::move(*entries), std::nullopt};
}

Result<PathResult<PathStat>> PathOperations::Stat(TaskContext& task, const std::string& user,
                                                  const std::string& system,
                                                  const std::string& path, bool dereference) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, StatArgv(path, dereference), {path}, Limits());
  if (run.error) return Failed<PathStat>(*run.error);
  auto stat = ParseStat(run.out);
  if (!stat) return Failed<PathStat>("stat: unexpected output");
  return PathResult<PathStat>{*stat, std::nullopt};
}

Result<PathResult<std::string>> PathOperations::Type(TaskContext& task, const std::string& user,
                                                     const std::string& system,
                                                     const std::string& path) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, TypeArgv(path), {path}, Limits());
  if (run.error) return Failed<std::string>(*run.error);
  return PathResult<std::string>{ParseType(run.out), std::nullopt};
}

Result<PathResult<ByteSlice>> PathOperations::Slice(TaskContext& task, const std::string& user,
                                                    const std::string& system,
                                                    const std::string& path,
                                                    const std::vector<std::string>& argv,
                                                    bool lines, int64_t start) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, argv, {path}, SliceLimits(Limits(), argv[0]));
  if (run.error) return Failed<ByteSlice>(*run.error);
  return PathResult<ByteSlice>{SliceAt(std::move(run.out), lines, start), std::nullopt};
}

Result<PathResult<ByteSlice>> PathOperations::Head(
    TaskContext& task, const std::string& user, const std::string& system, const std::string& path,
    std::optional<int64_t> bytes, std::optional<int64_t> lines, bool skip_trailing) {
  const SliceRequest request{bytes, lines, skip_trailing};
  if (Status s = CheckSliceRequest(request, 0); !s.ok()) return s;
  return Slice(task, user, system, path, HeadArgv(path, request), lines.has_value(), 0);
}

Result<PathResult<ByteSlice>> PathOperations::Tail(
    TaskContext& task, const std::string& user, const std::string& system, const std::string& path,
    std::optional<int64_t> bytes, std::optional<int64_t> lines, bool skip_heading) {
  const SliceRequest request{bytes, lines, skip_heading};
  if (Status s = CheckSliceRequest(request, 1); !s.ok()) return s;
  const bool in_lines = lines.has_value();
  // All but the first N: the content starts at N.
  if (skip_heading)
    return Slice(task, user, system, path, TailArgv(path, request), in_lines,
                 in_lines ? *lines : *bytes);
  // The last N: where they start is the file's length (wc) less theirs.
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  const auto argv = TailArgv(path, request);
  auto run = Run(task, *caller, argv, {path}, SliceLimits(Limits(), argv[0]));
  if (run.error) return Failed<ByteSlice>(*run.error);
  auto counted = Run(task, *caller, CountArgv(path, in_lines), {path}, Limits());
  if (counted.error) return Failed<ByteSlice>(*counted.error);
  auto total = ParseCount(counted.out);
  if (!total) return Failed<ByteSlice>("wc: unexpected output");
  return PathResult<ByteSlice>{SliceAtEnd(std::move(run.out), in_lines, *total), std::nullopt};
}

Result<PathResult<ByteSlice>> PathOperations::View(TaskContext& task, const std::string& user,
                                                   const std::string& system,
                                                   const std::string& path, int64_t offset,
                                                   int64_t size) {
  if (Status s = CheckView(offset, size); !s.ok()) return s;
  return Slice(task, user, system, path, ViewArgv(path, offset, size), false, offset);
}

Result<PathResult<std::string>> PathOperations::Checksum(TaskContext& task, const std::string& user,
                                                         const std::string& system,
                                                         const std::string& path) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, ChecksumArgv(path), {path}, Limits());
  if (run.error) return Failed<std::string>(*run.error);
  auto checksum = ParseChecksum(run.out);
  if (!checksum) return Failed<std::string>("sha256sum: unexpected output");
  return PathResult<std::string>{*checksum, std::nullopt};
}

Result<PathResult<std::string>> PathOperations::Remove(TaskContext& task, const std::string& user,
                                                       const std::string& system,
                                                       const std::string& path) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, RemoveArgv(path), {path}, Limits());
  if (run.error) return Failed<std::string>(*run.error);
  std::string removed = "removed ";
  removed += path;
  return PathResult<std::string>{removed, std::nullopt};
}

Result<PathResult<DirectoryEntry>> PathOperations::MakeDir(TaskContext& task,
                                                           const std::string& user,
                                                           const std::string& system,
                                                           const std::string& path, bool parents) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, MakeDirArgv(path, parents), {path}, Limits());
  return Changed(task, *caller, run, path);
}

Result<PathResult<DirectoryEntry>> PathOperations::Symlink(TaskContext& task,
                                                           const std::string& user,
                                                           const std::string& system,
                                                           const std::string& target,
                                                           const std::string& link_path) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  // The target too: a link is only useful here if what it points to is inside the roots.
  auto run = Run(task, *caller, SymlinkArgv(target, link_path), {target, link_path}, Limits());
  return Changed(task, *caller, run, link_path);
}

Result<PathResult<DirectoryEntry>> PathOperations::Move(TaskContext& task, const std::string& user,
                                                        const std::string& system,
                                                        const std::string& source,
                                                        const std::string& target) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, MoveArgv(source, target), {source, target}, Limits());
  return Changed(task, *caller, run, target);
}

Result<PathResult<DirectoryEntry>> PathOperations::Copy(TaskContext& task, const std::string& user,
                                                        const std::string& system,
                                                        const std::string& source,
                                                        const std::string& target,
                                                        bool dereference) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, CopyArgv(source, target, dereference), {source, target}, Limits());
  return Changed(task, *caller, run, target);
}

Result<PathResult<DirectoryEntry>> PathOperations::ChangeMode(TaskContext& task,
                                                              const std::string& user,
                                                              const std::string& system,
                                                              const std::string& path,
                                                              const std::string& mode) {
  if (Status s = CheckMode(mode); !s.ok()) return s;
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  auto run = Run(task, *caller, ChangeModeArgv(path, mode), {path}, Limits());
  return Changed(task, *caller, run, path);
}

Result<PathResult<DirectoryEntry>> PathOperations::ChangeOwner(
    TaskContext& task, const std::string& user, const std::string& system, const std::string& path,
    const std::string& owner, const std::string& group) {
  if (Status s = CheckOwner(owner, group); !s.ok()) return s;
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  // Nothing to change: the path as it is.
  if (owner.empty() && group.empty()) {
    if (auto problem = PathProblem(path)) return Failed<DirectoryEntry>(*problem);
    return Describe(task, *caller, path);
  }
  auto run = Run(task, *caller, ChangeOwnerArgv(path, owner, group), {path}, Limits());
  return Changed(task, *caller, run, path);
}

Result<PathResult<DirectoryEntry>> PathOperations::Compress(
    TaskContext& task, const std::string& user, const std::string& system,
    const std::string& source, const std::string& target, std::optional<std::string> match_pattern,
    bool dereference, Compression compression) {
  const bool filtered = match_pattern && !match_pattern->empty();
  if (filtered)
    if (Status s = CheckMatchPattern(*match_pattern); !s.ok()) return s;
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  if (auto problem = PathProblem(source)) return Failed<DirectoryEntry>(*problem);
  auto split = SplitArchiveSource(source);
  if (!split) return Failed<DirectoryEntry>(split.status().message());
  std::vector<std::string> names;
  if (filtered) {
    ProgramLimits limits = Limits();
    limits.max_stdout = kMatchOutputMaxBytes;
    limits.too_large =
        "compress: match_pattern selects too many files; narrow it, or compress the folder whole";
    auto found =
        Run(task, *caller, MatchArgv(*split, *match_pattern, dereference), {source}, limits);
    if (found.error) return Failed<DirectoryEntry>(*found.error);
    auto selected = ArchiveNames(found.out, *split);
    if (!selected) return Failed<DirectoryEntry>(selected.status().message());
    names = std::move(*selected);
  }
  auto run = Run(task, *caller, CompressArgv(target, *split, names, dereference, compression),
                 {source, target}, Limits());
  return Changed(task, *caller, run, target);
}

Result<PathResult<DirectoryEntry>> PathOperations::Extract(
    TaskContext& task, const std::string& user, const std::string& system,
    const std::string& archive, const std::string& target_dir, Compression compression) {
  auto caller = Resolve(user, system);
  if (!caller) return caller.status();
  // The archive is checked already, so that nothing is made for an archive outside the roots.
  auto made = Run(task, *caller, MakeDirArgv(target_dir, true), {archive, target_dir}, Limits());
  if (made.error) return Failed<DirectoryEntry>(*made.error);
  auto run = Run(task, *caller, ExtractArgv(archive, target_dir, compression),
                 {archive, target_dir}, Limits());
  return Changed(task, *caller, run, target_dir);
}

}  // namespace sfapid
