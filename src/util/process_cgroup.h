// Process tracking for one job or task, as Slurm's proctrack/cgroup does: every process it
// starts, also those that leave its process group with setsid, lands in a cgroup (v2) of its own,
// so a cancel, a time limit or its end reaches all of them. Without a writable cgroup v2 (not
// root, or not delegated) tracking falls back to the process group.
#pragma once

#include <sys/types.h>

#include <string>

namespace sfapid {

class ProcessCgroup {
 public:
  // Creates <cgroup v2 root>/sfapid/<name>; unusable (path() empty) when that is not possible.
  static ProcessCgroup Create(const std::string& name);
  // One Create made, by its path (handed to the process that enters it); unusable unless the
  // path is a cgroup sfapid makes (<cgroup v2 root>/sfapid/<name>).
  static ProcessCgroup Existing(const std::string& path);

  // Ends and removes the cgroups named "<prefix><pid>-..." whose process <pid> is gone: what the
  // tasks of a server that crashed left behind. Returns how many.
  static int EndOrphans(const std::string& prefix);

  bool usable() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  // Moves the calling process in (call before dropping privileges).
  bool Enter() const;
  // Sends a signal to every process in it.
  void Signal(int signal) const;
  // SIGKILLs everything in it, waits (bounded) until it is empty and removes it.
  void KillAndRemove() const;

 private:
  std::string path_;
};

}  // namespace sfapid
