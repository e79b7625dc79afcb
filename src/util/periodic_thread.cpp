#include "util/periodic_thread.h"

namespace sfapid {

void PeriodicThread::Start(std::chrono::steady_clock::duration interval,
                           std::function<void()> work) {
  Stop();
  stopping_ = false;
  thread_ = std::thread([this, interval, work = std::move(work)] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      work();
      lock.lock();
    }
  });
}

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sfapid
