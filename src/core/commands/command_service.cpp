#include "core/commands/command_service.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>

namespace sfapid {

namespace json = boost::json;

Result<const SystemConfig*> SystemWithFiles(const Config& config, const std::string& name) {
  const SystemConfig* system = config.FindSystem(name);
  if (!system) {
    std::string known;
    for (const auto& s : config.systems)
      if (s.HasFiles()) known += (known.empty() ? "" : ", ") + s.name;
    return Status::NotFound("Unknown machine '" + name + "'. Machines with files and commands: " + known);
  }
  if (!system->HasFiles())
    return Status::InvalidArgument("'" + name + "' is a " + ToString(system->system_type) +
                                   " resource; files and commands are on compute and filesystem systems");
  return system;
}

Result<std::string> CommandService::Run(const std::string& user, const std::string& system,
                                        const std::string& command) {
  auto s = SystemWithFiles(config_, system);
  if (!s) return s.status();
  if (command.empty()) return Status::InvalidArgument("executable must not be empty");
  if (command.find('\0') != std::string::npos) return Status::InvalidArgument("executable contains a NUL byte");
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  return tasks_.Submit(user, "command", system, [this, who = *who, command](TaskContext& ctx) {
    return Execute(who, command, ctx);
  });
}

TaskOutcome CommandService::Execute(const UnixIdentity& who, const std::string& command, TaskContext& ctx) {
  using Clock = std::chrono::steady_clock;
  auto started = runas_.Start(who, command);
  if (!started)
    return {"failed", json::object{{"status", "error"}, {"output", ""}, {"error", started.status().message()}, {"exit_code", nullptr}}};
  const RunningCommand cmd = *started;
  ctx.OnCancel([pid = cmd.pid] { RunAs::Kill(pid); });

  std::string out, err, stopped_because;
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(config_.utilities.command_timeout_seconds * 1000));
  auto last_partial = Clock::now();
  bool changed = false;
  pollfd fds[2] = {{cmd.out_fd, POLLIN, 0}, {cmd.err_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    const auto now = Clock::now();
    if (now >= deadline && stopped_because.empty()) {
      stopped_because = "sfapid: the command ran longer than " +
                        std::to_string(static_cast<int64_t>(config_.utilities.command_timeout_seconds)) +
                        " seconds and was stopped";
      RunAs::Kill(cmd.pid);
    }
    const int rc = ::poll(fds, 2, 100);
    if (rc < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? out : err).append(buf, static_cast<size_t>(n));
        changed = true;
        if (out.size() + err.size() > config_.utilities.command_output_max_bytes && stopped_because.empty()) {
          stopped_because = "sfapid: the command wrote more than " +
                            std::to_string(config_.utilities.command_output_max_bytes) +
                            " bytes of output and was stopped";
          RunAs::Kill(cmd.pid);
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
    // Partial output for clients that poll the task (at most a few updates a second).
    if (changed && Clock::now() - last_partial > std::chrono::milliseconds(250) && !ctx.cancelled()) {
      ctx.SetPartial(json::object{{"status", "ok"}, {"output", out}, {"error", err}, {"exit_code", nullptr}});
      last_partial = Clock::now();
      changed = false;
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int wstatus = 0;
  while (::waitpid(cmd.pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  const int exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  if (out.size() + err.size() > config_.utilities.command_output_max_bytes) {
    // Keep what fits, so the result stays a readable size.
    const size_t keep = config_.utilities.command_output_max_bytes;
    if (out.size() > keep) out.resize(keep);
    if (out.size() + err.size() > keep) err.resize(keep - out.size());
  }
  if (!stopped_because.empty())
    return {"failed", json::object{{"status", "error"}, {"output", out},
                                   {"error", err + (err.empty() || err.back() == '\n' ? "" : "\n") + stopped_because},
                                   {"exit_code", exit_code}}};
  return {"completed", json::object{{"status", exit_code == 0 ? "ok" : "error"}, {"output", out}, {"error", err}, {"exit_code", exit_code}}};
}

}  // namespace sfapid
