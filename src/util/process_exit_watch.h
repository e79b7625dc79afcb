// Tells when any of a set of processes ends, without polling: a pidfd per process in an epoll set,
// read by a thread of its own. For a loop that otherwise would only notice an end at its next
// tick (the local scheduler's job supervisors).
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "util/unique_fd.h"

namespace sfapid {

class ProcessExitWatch {
 public:
  // `on_exit` runs on the watch's thread after a watched process ended (once per process).
  explicit ProcessExitWatch(std::function<void()> on_exit);
  ~ProcessExitWatch();
  ProcessExitWatch(const ProcessExitWatch&) = delete;
  ProcessExitWatch& operator=(const ProcessExitWatch&) = delete;

  void Start();
  void Stop();
  // Watches `pid` from now on. Best effort: a process that cannot be opened (gone already, or a
  // kernel without pidfds) is not watched, and the caller's own tick finds its end.
  void Add(pid_t pid);

 private:
  void Loop();

  std::function<void()> on_exit_;
  UniqueFd epoll_, stop_;
  std::mutex mu_;
  std::map<int, UniqueFd> watched_;  // pidfd -> itself (closed when its process is seen ending)
  std::thread thread_;
};

}  // namespace sfapid
