#include "core/callbacks/mail_sender.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "util/private_files.h"
#include "util/spawn.h"
#include "util/write_all.h"

extern char** environ;

namespace sfapid {

namespace {

AttemptOutcome Failed(std::string why) { return {AttemptOutcome::kFailed, std::move(why)}; }

// The first line of what the command printed, for last_error.
std::string FirstLine(const std::string& output) {
  std::string line = output.substr(0, output.find('\n'));
  if (line.size() > 200) line.resize(200);
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return line;
}

}  // namespace

AttemptOutcome WriteToOutbox(const std::string& dir, const std::string& file_name,
                             const std::string& message) {
  if (Status s = EnsurePrivateDir(dir); !s.ok()) return Failed("outbox: " + s.message());
  const std::string path = dir + "/" + file_name;
  const std::string tmp = dir + "/." + file_name + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Failed("cannot create " + tmp + ": " + std::strerror(errno));
  const bool ok = WriteAll(fd, message) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Failed("cannot write " + path + ": " + why);
  }
  return {AttemptOutcome::kDelivered, "written to " + path};
}

AttemptOutcome RunMailCommand(const std::vector<std::string>& argv, const std::string& message,
                              double timeout_seconds, StopSignal& stop) {
  if (argv.empty()) return Failed("callbacks.mail_command is empty");
  // The message is small: it goes into the pipe before the command starts, so writing can neither
  // block on a command that does not read nor raise SIGPIPE when it exits early.
  if (message.size() > 60000) return Failed("the message is too large for the mail pipe");
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Failed(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return Failed(std::string("pipe: ") + std::strerror(errno));
  }
  const bool written = WriteAll(in[1], message);
  ::close(in[1]);
  if (!written) {
    ::close(in[0]);
    ::close(out[0]);
    ::close(out[1]);
    return Failed("cannot pass the message to the mail command");
  }

  // The mail command gets the server's environment (sendmail may need its settings).
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  auto spawned = Spawn({.argv = argv,
                        .env = std::move(env),
                        .stdin_fd = in[0],
                        .stdout_fd = out[1],
                        .stderr_fd = out[1],
                        .search_path = true});
  ::close(in[0]);
  ::close(out[1]);
  if (!spawned) {
    ::close(out[0]);
    return Failed(spawned.status().message());
  }
  const pid_t pid = *spawned;

  // Polls rather than blocks, so that the deadline and Stop() are noticed within 50 ms.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  std::string output;
  bool output_open = true;
  int wstatus = 0;
  for (;;) {
    if (output_open) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char buf[4096];
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n > 0 && output.size() < 4096) output.append(buf, static_cast<size_t>(n));
        if (n == 0) output_open = false;
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    const bool stopping = stop.fired();
    if (stopping || std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      ::close(out[0]);
      if (stopping) return {AttemptOutcome::kInterrupted, "sfapid is stopping"};
      return Failed(fmt::format("{} did not finish within {:g} s", argv[0], timeout_seconds));
    }
  }
  ::close(out[0]);
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
    return {AttemptOutcome::kDelivered, argv[0] + " accepted it"};
  const std::string how = WIFEXITED(wstatus)
                              ? "exited with status " + std::to_string(WEXITSTATUS(wstatus))
                              : "was killed by signal " + std::to_string(WTERMSIG(wstatus));
  const std::string said = FirstLine(output);
  return Failed(argv[0] + " " + how + (said.empty() ? "" : ": " + said));
}

}  // namespace sfapid
