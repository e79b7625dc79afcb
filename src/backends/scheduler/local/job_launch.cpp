#include "backends/scheduler/local/job_launch.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "backends/scheduler/local/launch_record.h"
#include "backends/scheduler/local/spool_file.h"
#include "util/json_fields.h"
#include "util/spawn.h"

namespace sfapid::local {

namespace json = boost::json;
namespace fs = std::filesystem;

Result<pid_t> LaunchJob(const std::string& job_dir, const LaunchSpec& spec) {
  std::error_code ec;
  fs::remove_all(job_dir, ec);  // a folder left by a launch that never started
  if (::mkdir(job_dir.c_str(), 0700) != 0)
    return Status::Unavailable("cannot create " + job_dir + ": " + std::strerror(errno));
  if (Status s = WriteFileAtomically(job_dir + "/job.json", json::serialize(ToJson(spec)), 0600);
      !s.ok())
    return s;

  // Held from before the supervisor exists until it ends (launch_record.h): a restarted sfapid
  // never takes a folder whose supervisor is still starting up for one nobody launched.
  const UniqueFd lock = HoldLaunchLock(job_dir);
  if (!lock.valid())
    return Status::Unavailable("cannot lock " + job_dir + ": " + std::strerror(errno));
  const std::string log = job_dir + "/supervisor.log";
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  // Its own session: a signal to sfapid's process group (Ctrl-C, a service manager) must not
  // reach the jobs, which keep running while sfapid restarts.
  auto pid = Spawn({.argv = {"/proc/self/exe", "job-supervisor", job_dir},
                    .env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
                    .stdout_fd = log_fd,
                    .stderr_fd = kSameAsStdout,
                    .new_session = true,
                    .pass_fd = lock.get()});
  if (log_fd >= 0) ::close(log_fd);
  if (!pid)
    return Status::Unavailable("cannot start the job supervisor: " + pid.status().message());
  return *pid;
}

std::optional<JobResult> ReadJobResult(const std::string& job_dir) {
  const std::string text = ReadSmallFile(job_dir + "/result.json");
  if (text.empty()) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  auto state = StringField(o, "state");
  auto exit_code = IntField(o, "exit_code"), exit_signal = IntField(o, "exit_signal");
  auto start = IntField(o, "start_time"), end = IntField(o, "end_time");
  // Half a file (a supervisor killed while writing, which its rename prevents) is no result yet.
  if (!state || !exit_code || !exit_signal || !start || !end) return std::nullopt;
  JobResult r;
  // The supervisor writes JobStateName; other text would be a broken file, a failed job.
  r.state = ParseJobState(*state).value_or(JobState::kFailed);
  r.exit_code = static_cast<int>(*exit_code);
  r.exit_signal = static_cast<int>(*exit_signal);
  r.start_time = *start;
  r.end_time = *end;
  return r;
}

bool SupervisorAlive(pid_t pid, const std::string& job_dir) {
  if (pid <= 0) return false;
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string stat = ReadSmallFile(proc + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
  if (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X') return false;
  // cmdline is NUL-separated: the job folder must be one of the words.
  const std::string cmdline = ReadSmallFile(proc + "/cmdline");
  return cmdline.find(std::string(1, '\0') + job_dir + '\0') != std::string::npos;
}

SupervisorWait ReapSupervisor(pid_t pid) {
  if (pid <= 0) return SupervisorWait::kNotChild;
  int status = 0;
  pid_t got;
  while ((got = ::waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (got == 0) return SupervisorWait::kRunning;
  return got == pid ? SupervisorWait::kEnded : SupervisorWait::kNotChild;
}

void SignalSupervisor(pid_t pid, const std::string& job_dir) {
  if (SupervisorAlive(pid, job_dir)) ::kill(pid, SIGTERM);
}

void RemoveJobDir(const std::string& job_dir) {
  std::error_code ec;
  fs::remove_all(job_dir, ec);
}

}  // namespace sfapid::local
