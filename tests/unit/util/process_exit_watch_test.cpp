// ProcessExitWatch: a watched process's end is told once, on the watch's thread, without polling;
// a process already gone is simply not watched; Stop ends the thread with processes still
// watched.
#include "util/process_exit_watch.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sfapid {
namespace {

using namespace std::chrono_literals;

// A child that sleeps `ms` and exits.
pid_t Sleeper(int ms) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::usleep(static_cast<useconds_t>(ms) * 1000);
    ::_exit(0);
  }
  return pid;
}

class Counter {
 public:
  void Tick() {
    std::lock_guard lock(mu_);
    ++n_;
    cv_.notify_all();
  }
  bool WaitFor(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return n_ >= n; });
  }
  int count() {
    std::lock_guard lock(mu_);
    return n_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_ = 0;
};

TEST(ProcessExitWatch, EachWatchedEndIsToldOnce) {
  Counter ended;
  ProcessExitWatch watch([&] { ended.Tick(); });
  watch.Start();
  const pid_t first = Sleeper(50), second = Sleeper(150);
  watch.Add(first);
  watch.Add(second);
  EXPECT_TRUE(ended.WaitFor(2, 10s));
  // Not reaped yet (a zombie stays readable): still told once each.
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(ended.count(), 2);
  ::waitpid(first, nullptr, 0);
  ::waitpid(second, nullptr, 0);
  watch.Stop();
}

TEST(ProcessExitWatch, AProcessAlreadyGoneIsNotWatched) {
  Counter ended;
  ProcessExitWatch watch([&] { ended.Tick(); });
  watch.Start();
  const pid_t gone = Sleeper(0);
  ::waitpid(gone, nullptr, 0);
  watch.Add(gone);  // no such process any more
  watch.Add(-1);
  const pid_t live = Sleeper(50);
  watch.Add(live);
  EXPECT_TRUE(ended.WaitFor(1, 10s));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(ended.count(), 1);
  ::waitpid(live, nullptr, 0);
}

TEST(ProcessExitWatch, StopEndsTheThreadWithProcessesStillWatched) {
  Counter ended;
  const pid_t long_one = Sleeper(60'000);
  {
    ProcessExitWatch watch([&] { ended.Tick(); });
    watch.Start();
    watch.Add(long_one);
    watch.Stop();
  }  // and the destructor after Stop is harmless
  EXPECT_EQ(ended.count(), 0);
  ::kill(long_one, SIGKILL);
  ::waitpid(long_one, nullptr, 0);
}

}  // namespace
}  // namespace sfapid
