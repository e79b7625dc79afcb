// One standard program (stat, head, tar, ...) run as the user for a filesystem operation: started
// with RunAs::StartProgram (no shell: its arguments are data; the worker checks `paths` against
// their roots first), watched for the task's cancellation, the time limit and an output cap, and
// its failure told in its own words: the first line it wrote on stderr.
#pragma once

#include <boost/json/array.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/runas/run_as.h"
#include "core/tasks/process_watch.h"
#include "core/tasks/task_engine.h"

namespace sfapid {

struct ProgramLimits {
  std::chrono::milliseconds timeout{600000};
  // More on stdout than this is a failure, `too_large`: a file's content travels in a task's
  // result, which must stay a sensible size, and a runaway program must not fill the server.
  std::size_t max_stdout = std::size_t{1} << 20;
  std::string too_large;  // "" : "<program>: the output is larger than N bytes"
};

struct ProgramOutput {
  std::string out;                   // stdout, when there is no error
  std::optional<std::string> error;  // "stat: cannot statx '/x': No such file or directory"
};

ProgramOutput RunUserProgram(RunAs& runas, const UnixIdentity& who, TaskContext& task,
                             const std::vector<std::string>& argv, const boost::json::array& paths,
                             const ProgramLimits& limits);

// What a finished run means: nullopt when the program succeeded, else the error the user reads.
// `program` is argv[0]; `err` what it wrote on stderr.
std::optional<std::string> ProgramError(std::string_view program, const WatchOutcome& outcome,
                                        std::string_view err, std::size_t stdout_size,
                                        const ProgramLimits& limits);

}  // namespace sfapid
