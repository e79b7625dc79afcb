// Running Slurm's commands: queue and accounting reads as sfapid itself (one read serves every
// user), submissions and cancels as the user through the privilege-dropping worker (never
// `sbatch --uid`, which runs the job with gid 0). Output is collected with a deadline, and every
// run is counted for the metrics.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "util/status.h"

namespace sfapid::slurm {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed; -1 when it never ran
  std::string out, err;
  bool timed_out = false;
};

// Why a read (squeue, sacct) failed, for the user: its own error, or that it gave none; and when
// it was stopped at the command timeout, that slurmctld did not answer in time (a hung
// controller holds connections open without a word).
std::string ReadFailure(const CommandResult& r, const std::string& command);

class SlurmCommands {
 public:
  // `cluster`: passed as --clusters to every command when not empty.
  SlurmCommands(std::string bin_dir, std::string cluster, double timeout_seconds, RunAs& runas)
      : bin_dir_(std::move(bin_dir)),
        cluster_(std::move(cluster)),
        timeout_(timeout_seconds),
        runas_(runas) {}

  // `command` is a Slurm program name ("squeue"); run as sfapid.
  CommandResult AsServer(const std::string& command, const std::vector<std::string>& args);
  // Run as the user, in `cwd` (default: their home); `paths` ({"path","roots"}) must lie inside
  // their roots.
  CommandResult AsUser(const UnixIdentity& who, const std::string& command,
                       const std::vector<std::string>& args, const boost::json::array& paths,
                       const std::string& cwd = "");

  std::string Path(const std::string& command) const { return bin_dir_ + "/" + command; }
  const std::string& cluster() const { return cluster_; }
  uint64_t runs(const std::string& command) const;

 private:
  void Count(const std::string& command);
  std::vector<std::string> Argv(const std::string& command,
                                const std::vector<std::string>& args) const;
  std::string bin_dir_;
  std::string cluster_;
  double timeout_;
  RunAs& runas_;
  std::atomic<uint64_t> squeue_runs_{0}, sacct_runs_{0}, sbatch_runs_{0}, scancel_runs_{0},
      other_runs_{0};
};

// A command's output without the line ends and spaces around it. Inline: the output parsers use it
// without the code that runs commands.
inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && (s[start] == '\n' || s[start] == ' ')) ++start;
  return s.substr(start);
}

// Reads a started process's stdout and stderr to the end (killing its group at the deadline) and
// reaps it.
CommandResult Collect(const RunningCommand& process, std::chrono::steady_clock::duration timeout);

}  // namespace sfapid::slurm
