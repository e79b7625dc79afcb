// Process tracking for one job, as Slurm's proctrack/cgroup does: every process the job starts,
// also those that leave its process group with setsid, lands in a cgroup (v2) of its own, so a
// cancel, a time limit or the job's end reaches all of them. Without a writable cgroup v2 (not
// root, or not delegated) tracking falls back to the job's process group.
#pragma once

#include <sys/types.h>

#include <string>

namespace sfapid::local {

class JobCgroup {
 public:
  // Creates <cgroup v2 root>/sfapid/<name>; unusable (path() empty) when that is not possible.
  static JobCgroup Create(const std::string& name);

  bool usable() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  // Moves the calling process in (call in the job process before it drops privileges).
  bool Enter() const;
  // Sends a signal to every process in it.
  void Signal(int signal) const;
  // SIGKILLs everything in it, waits (bounded) until it is empty and removes it.
  void KillAndRemove() const;

 private:
  std::string path_;
};

}  // namespace sfapid::local
