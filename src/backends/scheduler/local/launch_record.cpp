#include "backends/scheduler/local/launch_record.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
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

UniqueFd HoldLaunchLock(const std::string& job_dir) {
  UniqueFd fd(::open(LockPath(job_dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid() || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return UniqueFd();
  return fd;
}

bool ClaimLaunch(const std::string& job_dir, int lock_fd) {
  // The passed descriptor must be this folder's lock file: a folder replaced since (it cannot
  // be while the lock is held, but a stray descriptor could be anything) is not this launch's.
  struct stat passed {
  }, on_disk{};
  if (::fstat(lock_fd, &passed) != 0 || ::lstat(LockPath(job_dir).c_str(), &on_disk) != 0 ||
      !S_ISREG(passed.st_mode) || passed.st_dev != on_disk.st_dev ||
      passed.st_ino != on_disk.st_ino)
    return false;
  // Held by the launcher through this same open file, so this succeeds for the launch it was
  // passed to and fails for any other holder. Kept open (not across the job's exec): held.
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) return false;
  ::fcntl(lock_fd, F_SETFD, FD_CLOEXEC);
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
