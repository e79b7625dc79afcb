#include "util/periodic_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

namespace sfapid {
namespace {

TEST(PeriodicThread, CallsTheWorkUntilStoppedAndStopsAtOnce) {
  std::atomic<int> calls{0};
  PeriodicThread thread;
  thread.Start(std::chrono::milliseconds(5), [&] { ++calls; });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (calls < 3 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GE(calls.load(), 3);
  thread.Stop();
  const int after_stop = calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(calls.load(), after_stop);
}

TEST(PeriodicThread, StoppingDoesNotWaitForTheInterval) {
  PeriodicThread thread;
  thread.Start(std::chrono::hours(1), [] {});
  const auto before = std::chrono::steady_clock::now();
  thread.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
}

}  // namespace
}  // namespace sfapid
