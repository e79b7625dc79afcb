// What a launch of a job leaves in its folder so that it is never started twice. The scheduler
// records a job as running only after its supervisor started; sfapid killed in between would,
// at its restart, see the job still pending and start it again while the first supervisor runs
// it. So the folder's lock is taken by the launcher before the supervisor is started and handed
// to it as an inherited descriptor: from that moment until the supervisor ends, someone holds it
// (a supervisor still starting up, slow to exec, holds it too). The supervisor then writes its
// pid and marks the moment the job may start; a restarted scheduler asks the folder before a
// launch and adopts what an earlier launch left: a supervisor still running, or one that ended
// (its result is read, or it is recorded NODE_FAIL if it left none after the job started).
#pragma once

#include <sys/types.h>

#include <string>

#include "util/unique_fd.h"

namespace sfapid::local {

struct EarlierLaunch {
  enum Kind {
    kNone,   // nothing started the job: launch it
    kAdopt,  // an earlier supervisor runs or ran it: take `supervisor` as the job's
    kWait,   // a supervisor is starting up: look again at the next pass
  } kind = kNone;
  pid_t supervisor = 0;
};

EarlierLaunch FindEarlierLaunch(const std::string& job_dir);

// In the launcher, on a fresh folder: the folder's lock, held (close-on-exec: only the
// supervisor it is passed to gets it). Invalid when it cannot be taken.
UniqueFd HoldLaunchLock(const std::string& job_dir);

// In the supervisor, before anything else, with the lock its launcher passed: false when
// `lock_fd` is not this folder's lock held for it (it must then exit without running the job).
// The lock is kept until the process ends.
bool ClaimLaunch(const std::string& job_dir, int lock_fd);

// In the supervisor, just before the job's process is started.
void MarkJobStarted(const std::string& job_dir);

}  // namespace sfapid::local
