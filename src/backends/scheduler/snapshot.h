// One shared view of something expensive to ask (the whole Slurm queue), refreshed at most by one
// caller at a time and shared by all: a cached read takes the latest view if it is young enough; a
// fresh read waits for a refresh that *started after* it arrived, joining one already under way
// rather than starting its own. However many clients poll, the source sees one query per refresh.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "util/status.h"

namespace sfapid {

template <typename T>
class Snapshot {
 public:
  using Clock = std::chrono::steady_clock;
  using Fetch = std::function<Result<T>()>;

  Snapshot(Fetch fetch, Clock::duration max_age) : fetch_(std::move(fetch)), max_age_(max_age) {}
  Clock::duration max_age() const { return max_age_; }

  // The latest view if it is young enough (max_age), else a new one.
  Result<std::shared_ptr<const T>> Get() { return GetStartedAfter(Clock::now() - max_age_); }
  // A view whose refresh started at or after `not_before` (Clock::now(): nothing older than this
  // call), joining a refresh under way when that one qualifies.
  Result<std::shared_ptr<const T>> GetStartedAfter(Clock::time_point not_before) {
    std::unique_lock lock(mu_);
    const auto asked = not_before;
    ++callers_;
    for (;;) {
      if (data_ && started_ >= asked) return data_;
      if (!refreshing_) {
        refreshing_ = true;
        const auto started = Clock::now();
        lock.unlock();
        Result<T> fetched = fetch_();
        lock.lock();
        refreshing_ = false;
        ++refreshes_;
        if (fetched) {
          data_ = std::make_shared<const T>(std::move(fetched).value());
          started_ = started;
          last_error_ = Status::Ok();
        } else {
          last_error_ = fetched.status();
        }
        cv_.notify_all();
        if (!fetched) return fetched.status();
        continue;
      }
      const uint64_t seen = refreshes_;
      cv_.wait(lock, [&] { return refreshes_ != seen; });
      // A refresh that failed fails those who waited for it too.
      if (!last_error_.ok() && !(data_ && started_ >= asked)) return last_error_;
    }
  }

  struct Stats {
    uint64_t refreshes = 0, callers = 0;
    double age_seconds = -1;  // -1: never refreshed
  };
  Stats stats() const {
    std::lock_guard lock(mu_);
    Stats s{refreshes_, callers_, -1};
    if (data_) s.age_seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    return s;
  }

 private:
  Fetch fetch_;
  Clock::duration max_age_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const T> data_;
  Clock::time_point started_{};
  bool refreshing_ = false;
  uint64_t refreshes_ = 0, callers_ = 0;
  Status last_error_;
};

}  // namespace sfapid
