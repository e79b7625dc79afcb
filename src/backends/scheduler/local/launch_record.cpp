#include "backends/scheduler/local/launch_record.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "backends/scheduler/local/spool_file.h"
#include "util/unique_fd.h"

namespace sfapid::local {

namespace {

std::string LockPath(const std::string& dir) { return dir + "/supervisor.lock"; }
std::string PidPath(const std::string& dir) { return dir + "/supervisor.pid"; }
std::string StartedPath(const std::string& dir) { return dir + "/started"; }

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

pid_t ReadPid(const std::string& dir) {
  return static_cast<pid_t>(std::atol(ReadSmallFile(PidPath(dir)).c_str()));
}

}  // namespace

bool ClaimLaunch(const std::string& job_dir) {
  const int fd = ::open(LockPath(job_dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) return false;  // fd kept: the lock is held
  return WriteFileAtomically(PidPath(job_dir), std::to_string(::getpid()), 0600).ok();
}

void MarkJobStarted(const std::string& job_dir) {
  const UniqueFd fd(
      ::open(StartedPath(job_dir).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.valid()) ::fsync(fd.get());
}

EarlierLaunch FindEarlierLaunch(const std::string& job_dir) {
  if (!Exists(LockPath(job_dir))) return {};
  const UniqueFd fd(::open(LockPath(job_dir).c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return {};
  const pid_t pid = ReadPid(job_dir);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)  // a supervisor holds it: alive
    return pid > 0 ? EarlierLaunch{EarlierLaunch::kAdopt, pid}
                   : EarlierLaunch{EarlierLaunch::kWait, 0};
  // No supervisor alive. It never let the job start: launching is safe. Otherwise the job ran
  // (its result is in the folder) or was lost with its supervisor: adopted, never run again.
  if (!Exists(StartedPath(job_dir)) || pid <= 0) return {};
  return {EarlierLaunch::kAdopt, pid};
}

}  // namespace sfapid::local
