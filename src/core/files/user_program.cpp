#include "core/files/user_program.h"

#include <algorithm>

namespace sfapid {

namespace {

// Room for an error message beside a capped stdout; more stderr than this is not read.
constexpr std::size_t kStderrRoom = 64 * 1024;

std::string_view BaseName(std::string_view program) {
  const size_t slash = program.rfind('/');
  return slash == std::string_view::npos ? program : program.substr(slash + 1);
}

}  // namespace

std::optional<std::string> ProgramError(std::string_view program, const WatchOutcome& outcome,
                                        std::string_view err, std::size_t stdout_size,
                                        const ProgramLimits& limits) {
  std::string name(BaseName(program));
  if (outcome.reason == WatchOutcome::kCancelled) return name + ": cancelled";
  if (outcome.reason == WatchOutcome::kTimedOut) {
    name += ": stopped after ";
    name += std::to_string(limits.timeout.count() / 1000);
    name += " seconds, the limit ([utilities] command_timeout_seconds)";
    return name;
  }
  if (outcome.reason == WatchOutcome::kOutputCapped || stdout_size > limits.max_stdout) {
    if (!limits.too_large.empty()) return limits.too_large;
    name += ": the output is larger than ";
    name += std::to_string(limits.max_stdout);
    name += " bytes";
    return name;
  }
  if (outcome.exit_code == 0) return std::nullopt;
  // The worker's own refusals (a path outside the roots, exit 126) say "sfapid: why".
  std::string_view line = err.substr(0, err.find('\n'));
  if (line.rfind("sfapid: ", 0) == 0) line.remove_prefix(8);
  // Coreutils name themselves as they were run ("/usr/bin/stat: cannot statx ..."): "stat: ...".
  if (program.find('/') != std::string_view::npos && line.rfind(program, 0) == 0 &&
      line.substr(program.size(), 1) == ":") {
    name += line.substr(program.size());
    return name;
  }
  if (!line.empty()) return std::string(line);
  name += " exited with status ";
  name += std::to_string(outcome.exit_code);
  return name;
}

ProgramOutput RunUserProgram(RunAs& runas, const UnixIdentity& who, TaskContext& task,
                             const std::vector<std::string>& argv, const boost::json::array& paths,
                             const ProgramLimits& limits) {
  auto started = runas.StartProgram(who, argv, paths);
  if (!started) return {"", started.status().message()};
  WatchLimits watch;
  watch.timeout = limits.timeout;
  // The watch counts both streams; stdout's own cap is checked below.
  watch.max_output_bytes = limits.max_stdout + kStderrRoom;
  std::string out, err;
  const WatchOutcome outcome = WatchProcess(
      *started, task, watch,
      [&](int stream, std::string_view data) {
        if (stream == 1) {
          // One byte past the cap is enough to know it was passed.
          if (out.size() <= limits.max_stdout)
            out.append(data.substr(0, limits.max_stdout + 1 - out.size()));
        } else if (err.size() < kStderrRoom) {
          err.append(data.substr(0, kStderrRoom - err.size()));
        }
      },
      [] {});
  auto error = ProgramError(argv.empty() ? "" : argv[0], outcome, err, out.size(), limits);
  if (error) return {"", std::move(error)};
  return {std::move(out), std::nullopt};
}

}  // namespace sfapid
