// One shared view of something expensive to ask (the whole Slurm queue), refreshed at most by one
// caller at a time and shared by all: a cached read takes the latest view if it is young enough; a
// fresh read waits for a refresh that *started after* it arrived, joining one already under way
// rather than starting its own. However many clients poll, the source sees one query per refresh,
// and refreshes start at least `min_interval` apart: under a stream of fresh reads the source is
// asked at most once per min_interval, each answer shared by everyone who waited for it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "util/status.h"

namespace sfapid {

template <typename T>
class Snapshot {
 public:
  using Clock = std::chrono::steady_clock;
  using Fetch = std::function<Result<T>()>;
  // A view and when its reading started: for a source that may answer with a view read earlier
  // (by another sfapid node), as long as it started at or after the time asked for.
  struct Fetched {
    T value;
    Clock::time_point taken;
  };
  using FetchSince = std::function<Result<Fetched>(Clock::time_point not_before)>;

  Snapshot(Fetch fetch, Clock::duration max_age, Clock::duration min_interval = {})
      : Snapshot(FetchSince([fetch = std::move(fetch)](Clock::time_point) -> Result<Fetched> {
                   const auto started = Clock::now();
                   Result<T> fetched = fetch();
                   if (!fetched) return fetched.status();
                   return Fetched{std::move(fetched).value(), started};
                 }),
                 max_age, min_interval) {}
  Snapshot(FetchSince fetch, Clock::duration max_age, Clock::duration min_interval = {})
      : fetch_(std::move(fetch)), max_age_(max_age), min_interval_(min_interval) {}
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
        lock.unlock();
        // Callers arriving meanwhile join this refresh (refreshing_ is set).
        if (attempted_ != Clock::time_point{})
          std::this_thread::sleep_until(attempted_ + min_interval_);
        attempted_ = Clock::now();  // only the refresher touches it
        Result<Fetched> fetched = fetch_(asked);
        lock.lock();
        refreshing_ = false;
        ++refreshes_;
        if (fetched) {
          data_ = std::make_shared<const T>(std::move(fetched->value));
          started_ = fetched->taken;
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
  FetchSince fetch_;
  Clock::duration max_age_;
  Clock::duration min_interval_;
  Clock::time_point attempted_{};  // when the last refresh started (successful or not)
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const T> data_;
  Clock::time_point started_{};
  bool refreshing_ = false;
  uint64_t refreshes_ = 0, callers_ = 0;
  Status last_error_;
};

}  // namespace sfapid
