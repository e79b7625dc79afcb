#include "backends/scheduler/slurm/slurm_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/spawn.h"

namespace sfapid::slurm {

namespace json = boost::json;

CommandResult Collect(const RunningCommand& p, std::chrono::steady_clock::duration timeout) {
  CommandResult r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int fds[2] = {p.out_fd, p.err_fd};
  std::string* sinks[2] = {&r.out, &r.err};
  bool open[2] = {p.out_fd >= 0, p.err_fd >= 0};
  char buf[65536];
  while (open[0] || open[1]) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      RunAs::Signal(p.pid, SIGKILL);
      break;
    }
    pollfd pfds[2];
    int n = 0, map[2];
    for (int i = 0; i < 2; ++i)
      if (open[i]) {
        pfds[n] = {fds[i], POLLIN, 0};
        map[n++] = i;
      }
    if (::poll(pfds, static_cast<nfds_t>(n),
               static_cast<int>(std::min<int64_t>(left.count(), 1000))) < 0 &&
        errno != EINTR)
      break;
    for (int k = 0; k < n; ++k) {
      if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const int i = map[k];
      const ssize_t got = ::read(fds[i], buf, sizeof buf);
      if (got > 0)
        sinks[i]->append(buf, static_cast<size_t>(got));
      else if (got == 0 || (errno != EAGAIN && errno != EINTR))
        open[i] = false;
    }
  }
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
  int status = 0;
  while (::waitpid(p.pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

namespace {

Result<RunningCommand> SpawnAsServer(const std::vector<std::string>& argv) {
  // Full array index expressions (not cut at 64 bytes), so that pending arrays can be listed
  // task by task.
  std::vector<std::string> env{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "SLURM_TIME_FORMAT=standard",
                               "SLURM_BITSTR_LEN=0"};
  // Slurm prints and reads local times (sacct, scontrol's reservations): in sfapid's zone, which
  // is the one they are parsed and written in here.
  if (const char* tz = std::getenv("TZ")) env.push_back(std::string("TZ=") + tz);
  auto child = SpawnPiped({.argv = argv, .env = std::move(env), .new_session = true});
  if (!child) return child.status();
  return RunningCommand{child->pid, child->out_fd, child->err_fd};
}

CommandResult Failed(const Status& s) {
  CommandResult r;
  r.err = s.message();
  return r;
}

}  // namespace

void SlurmCommands::Count(const std::string& command) {
  if (command == "squeue")
    ++squeue_runs_;
  else if (command == "sacct")
    ++sacct_runs_;
  else if (command == "sbatch")
    ++sbatch_runs_;
  else if (command == "scancel")
    ++scancel_runs_;
  else
    ++other_runs_;
}

uint64_t SlurmCommands::runs(const std::string& command) const {
  if (command == "squeue") return squeue_runs_;
  if (command == "sacct") return sacct_runs_;
  if (command == "sbatch") return sbatch_runs_;
  if (command == "scancel") return scancel_runs_;
  return other_runs_;
}

std::vector<std::string> SlurmCommands::Argv(const std::string& command,
                                             const std::vector<std::string>& args) const {
  std::vector<std::string> argv{Path(command)};
  // sacctmgr takes no --clusters (a user's associations are in the shared database).
  if (!cluster_.empty() && command != "sacctmgr") argv.push_back("--clusters=" + cluster_);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult SlurmCommands::AsServer(const std::string& command,
                                      const std::vector<std::string>& args) {
  Count(command);
  auto p = SpawnAsServer(Argv(command, args));
  if (!p) return Failed(p.status());
  return Collect(*p, std::chrono::milliseconds(static_cast<int64_t>(timeout_ * 1000)));
}

CommandResult SlurmCommands::AsUser(const UnixIdentity& who, const std::string& command,
                                    const std::vector<std::string>& args, const json::array& paths,
                                    const std::string& cwd) {
  Count(command);
  auto p = runas_.StartProgram(who, Argv(command, args), paths, cwd);
  if (!p) return Failed(p.status());
  return Collect(*p, std::chrono::milliseconds(static_cast<int64_t>(timeout_ * 1000)));
}

std::string ReadFailure(const CommandResult& r, const std::string& command) {
  std::string why = Trim(r.err);
  if (why.empty()) why = command + " failed";
  if (r.timed_out) why += " (timed out: slurmctld did not answer)";
  return why;
}

}  // namespace sfapid::slurm
