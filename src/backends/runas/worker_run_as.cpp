#include "backends/runas/worker_run_as.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "backends/runas/spawn_as_user.h"
#include "backends/runas/worker_exchange.h"
#include "util/fd_passing.h"
#include "util/process_cgroup.h"
#include "util/spawn.h"
#include "util/write_all.h"

extern char** environ;

namespace sfapid {

namespace json = boost::json;

namespace {

struct Pipe {
  int read = -1, write = -1;
  Status Open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      return Status::Unavailable(std::string("pipe: ") + std::strerror(errno));
    read = fds[0];
    write = fds[1];
    return Status::Ok();
  }
  void Close() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
    read = write = -1;
  }
};

}  // namespace

WorkerDeadline WorkerRunAs::Deadline() const {
  return std::chrono::steady_clock::now() +
         std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds_ * 1000));
}

Status WorkerRunAs::TimedOut() const {
  return Status::Unavailable(
      fmt::format("the worker acting as the user did not answer within {} s and was stopped",
                  timeout_seconds_));
}

bool WorkerRunAs::DirectStartsAreSafe() {
  std::ifstream in("/proc/sys/fs/suid_dumpable");
  int value = -1;
  if (in >> value && value == 0) return true;
  spdlog::warn(
      "fs.suid_dumpable is {}, not 0: commands and programs start through a worker process "
      "(slower) rather than straight from the server, whose memory a user could then trace",
      value);
  return false;
}

void WorkerRunAs::EndOrphanedTaskCgroups() {
  if (const int n = ProcessCgroup::EndOrphans("task-"); n > 0)
    spdlog::warn("ended what {} command(s) of a server that stopped left running", n);
}

Result<pid_t> WorkerRunAs::Spawn(const UnixIdentity& who, int stdin_fd, int stdout_fd,
                                 int stderr_fd, const std::string& cgroup) {
  std::vector<std::string> argv = {worker_binary_, "worker", "--account", who.account};
  if (!cgroup.empty()) argv.insert(argv.end(), {"--cgroup", cgroup});
  auto pid = sfapid::Spawn({.argv = std::move(argv),
                            .env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
                            .stdin_fd = stdin_fd,
                            .stdout_fd = stdout_fd,
                            .stderr_fd = stderr_fd});
  if (!pid)
    return Status::Unavailable("cannot start the worker " + worker_binary_ + ": " +
                               pid.status().message());
  return pid;
}

Result<WorkerReply> WorkerRunAs::Call(const UnixIdentity& who, const json::object& request,
                                      std::string_view input, std::size_t body_size_limit) {
  if (pool_)
    if (auto reply = pool_->Call(who, request, input, body_size_limit)) return std::move(*reply);
  return CallOnce(who, request, input, body_size_limit);
}

Result<WorkerReply> WorkerRunAs::CallOnce(const UnixIdentity& who, const json::object& request,
                                          std::string_view input, std::size_t body_size_limit) {
  Pipe in, out;
  if (Status s = in.Open(); !s.ok()) return s;
  if (Status s = out.Open(); !s.ok()) {
    in.Close();
    return s;
  }
  auto pid = Spawn(who, in.read, out.write, -1);
  ::close(in.read);
  ::close(out.write);
  in.read = out.write = -1;
  if (!pid) {
    in.Close();
    out.Close();
    return pid.status();
  }
  const WorkerDeadline deadline = Deadline();
  const std::string sent = FramedRequest(request, input);
  WorkerExchange ex = ExchangeWithWorker(UniqueFd(std::exchange(in.write, -1)),
                                         UniqueFd(std::exchange(out.read, -1)), sent,
                                         body_size_limit + 65536, deadline, *pid);
  ReapWorker(*pid, deadline, ex.timed_out);
  if (ex.stopped) return WorkerStopped();
  if (ex.timed_out) return TimedOut();
  const std::string& received = ex.received;
  const size_t eol = received.find('\n');
  if (eol == std::string::npos)
    return Status::Unavailable(ex.sent_all ? "the worker ended without an answer"
                                           : "the worker did not take the request");
  return WorkerReply::Parse(std::string_view(received).substr(0, eol), received.substr(eol + 1));
}

Result<RunningCommand> WorkerRunAs::Start(const UnixIdentity& who, const std::string& command) {
  if (direct_starts_) {
    // As the worker's Exec would: bash in the user's home, with a clean environment.
    auto started = StartDirect(who, "/bin/bash", {"bash", "-c", command},
                               {"HOME=" + who.home, "USER=" + who.account, "LOGNAME=" + who.account,
                                "SHELL=" + (who.shell.empty() ? "/bin/bash" : who.shell),
                                "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"},
                               who.home, false);
    if (started) return started;
  }
  return StartWorker(who, json::object{{"op", "exec"}, {"command", command}});
}

Result<RunningCommand> WorkerRunAs::StartProgram(const UnixIdentity& who,
                                                 const std::vector<std::string>& argv,
                                                 const json::array& paths, const std::string& cwd) {
  // The paths are checked as the user by their worker, then the program starts straight away. A
  // refusal, or a start that fails, takes the one-request worker, whose exit status 126 and words
  // on stderr are what callers read.
  if (direct_starts_ && pool_) {
    std::optional<Result<WorkerReply>> checked;
    if (!paths.empty())
      checked = pool_->Call(who, {{"op", "check_paths"}, {"paths", paths}}, "", 0);
    if (paths.empty() || (checked && *checked && (*checked)->ok())) {
      auto started = StartDirect(who, "", argv,
                                 {"HOME=" + who.home, "USER=" + who.account,
                                  "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"},
                                 cwd.empty() ? who.home : cwd, !cwd.empty());
      if (started) return started;
    }
  }
  json::array args;
  for (const auto& a : argv) args.emplace_back(a);
  return StartWorker(
      who,
      json::object{{"op", "exec_argv"}, {"argv", std::move(args)}, {"paths", paths}, {"cwd", cwd}});
}

Result<RunningCommand> WorkerRunAs::StartFileCopy(const UnixIdentity& who,
                                                  const std::string& source,
                                                  const json::array& source_roots,
                                                  const std::string& target,
                                                  const json::array& target_roots) {
  return StartWorker(who, json::object{{"op", "copy_file"},
                                       {"source", source},
                                       {"source_roots", source_roots},
                                       {"target", target},
                                       {"target_roots", target_roots}});
}

Result<UserFile> WorkerRunAs::OpenFile(const UnixIdentity& who, const std::string& path,
                                       const json::array& roots, fileops::OpenIntent intent) {
  const json::object request{
      {"op", "open"}, {"path", path}, {"roots", roots}, {"intent", fileops::IntentName(intent)}};
  UniqueFd fd;
  std::optional<Result<WorkerReply>> pooled;
  if (pool_) pooled = pool_->Call(who, request, "", 0, &fd);
  Result<WorkerReply> reply = pooled ? std::move(*pooled) : OpenOnce(who, request, fd);
  if (!reply) return reply.status();
  if (Status refused = reply->ToStatus(); !refused.ok()) return refused;
  if (!fd.valid()) return Status::Unavailable("the worker sent no file");
  // What the file is, from the descriptor itself rather than from the worker's words.
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return Status::Unavailable("the worker sent something other than a regular file");
  return UserFile{std::move(fd), static_cast<int64_t>(st.st_size), static_cast<int64_t>(st.st_dev),
                  static_cast<int64_t>(st.st_ino),
                  static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

Result<WorkerReply> WorkerRunAs::OpenOnce(const UnixIdentity& who, const json::object& request,
                                          UniqueFd& fd) {
  Pipe in;
  if (Status s = in.Open(); !s.ok()) return s;
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    in.Close();
    return Status::Unavailable(std::string("socketpair: ") + std::strerror(errno));
  }
  UniqueFd ours(sockets[0]);
  auto pid = Spawn(who, in.read, sockets[1], -1);
  ::close(in.read);
  ::close(sockets[1]);
  in.read = -1;
  if (!pid) {
    in.Close();
    return pid.status();
  }
  WriteAll(in.write, FramedRequest(request, ""));  // a few hundred bytes: the pipe takes them
  in.Close();
  const WorkerDeadline deadline = Deadline();
  if (!WaitReadable(ours.get(), deadline, *pid)) {
    const bool stopped = std::chrono::steady_clock::now() < deadline;  // ended early: stopped
    ReapWorker(*pid, deadline, true);
    return stopped ? WorkerStopped() : TimedOut();
  }
  auto received = ReceiveWithFd(ours.get(), 65536);
  ReapWorker(*pid, deadline);
  if (!received) return received.status();
  const std::size_t eol = received->message.find('\n');
  if (eol == std::string::npos) return Status::Unavailable("the worker ended without an answer");
  fd = std::move(received->fd);
  return WorkerReply::Parse(std::string_view(received->message).substr(0, eol), "");
}

ProcessCgroup WorkerRunAs::NewTaskCgroup() {
  // A cgroup of its own (as root, with cgroup v2): what it starts cannot outlive the task.
  return ProcessCgroup::Create("task-" + std::to_string(::getpid()) + "-" +
                               std::to_string(++started_));
}

Result<RunningCommand> WorkerRunAs::StartDirect(const UnixIdentity& who, std::string program,
                                                std::vector<std::string> argv,
                                                std::vector<std::string> env,
                                                const std::string& cwd, bool cwd_required) {
  auto groups = GroupsOf(who.account, who.gid);
  if (!groups) return groups.status();
  Pipe out, err;
  if (Status s = out.Open(); !s.ok()) return s;
  if (Status s = err.Open(); !s.ok()) {
    out.Close();
    return s;
  }
  const ProcessCgroup cgroup = NewTaskCgroup();
  const UniqueFd procs(cgroup.path().empty() ? -1
                                             : ::open((cgroup.path() + "/cgroup.procs").c_str(),
                                                      O_WRONLY | O_CLOEXEC));
  if (!cgroup.path().empty() && !procs.valid()) {
    out.Close();
    err.Close();
    cgroup.KillAndRemove();
    return Status::Unavailable("cannot open the task's cgroup: " +
                               std::string(std::strerror(errno)));
  }
  auto pid = SpawnAsUser({.uid = who.uid,
                          .gid = who.gid,
                          .groups = std::move(*groups),
                          .program = std::move(program),
                          .argv = std::move(argv),
                          .env = std::move(env),
                          .cwd = cwd,
                          .cwd_required = cwd_required,
                          .stdout_fd = out.write,
                          .stderr_fd = err.write,
                          .cgroup_procs_fd = procs.get()});
  ::close(out.write);
  ::close(err.write);
  if (!pid) {
    ::close(out.read);
    ::close(err.read);
    cgroup.KillAndRemove();
    return pid.status();
  }
  ::fcntl(out.read, F_SETFL, O_NONBLOCK);
  ::fcntl(err.read, F_SETFL, O_NONBLOCK);
  return RunningCommand{*pid, out.read, err.read, cgroup.path()};
}

Result<RunningCommand> WorkerRunAs::StartWorker(const UnixIdentity& who,
                                                const json::object& request) {
  Pipe in, out, err;
  if (Status s = in.Open(); !s.ok()) return s;
  if (Status s = out.Open(); !s.ok()) {
    in.Close();
    return s;
  }
  if (Status s = err.Open(); !s.ok()) {
    in.Close();
    out.Close();
    return s;
  }
  const ProcessCgroup cgroup = NewTaskCgroup();
  auto pid = Spawn(who, in.read, out.write, err.write, cgroup.path());
  ::close(in.read);
  ::close(out.write);
  ::close(err.write);
  if (!pid) {
    ::close(in.write);
    ::close(out.read);
    ::close(err.read);
    cgroup.KillAndRemove();
    return pid.status();
  }
  WriteAll(in.write, json::serialize(request) + "\n");
  ::close(in.write);
  ::fcntl(out.read, F_SETFL, O_NONBLOCK);
  ::fcntl(err.read, F_SETFL, O_NONBLOCK);
  return RunningCommand{*pid, out.read, err.read, cgroup.path()};
}

}  // namespace sfapid
