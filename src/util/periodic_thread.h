// Housekeeping that must happen on time even when no request comes (purging expired uploads or
// old events): a thread that calls `work` every `interval` until stopped. Stop wakes it at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace sfapid {

class PeriodicThread {
 public:
  PeriodicThread() = default;
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  // The first call comes one interval after the start.
  void Start(std::chrono::steady_clock::duration interval, std::function<void()> work);
  void Stop();

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sfapid
