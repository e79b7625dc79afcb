// The last tasks this node ended, as they were stored: a client that polls its task (GET
// /tasks/{id}, every few milliseconds while it waits) is answered from here, on the I/O thread,
// instead of by a store read on the pool. Only ends this node's own update wrote are kept (an
// ended task never changes again, so the copy cannot go stale), for a short window, a bounded
// number and bytes, and only small results (a command's output can be megabytes: copying it on
// the I/O thread would hold up every other request there): polls come within seconds of the end,
// and the store answers everything else.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/task_store.h"

namespace sfapid {

class RecentEnds {
 public:
  // A result longer than kMaxResultBytes is not kept.
  static constexpr std::size_t kMaxResultBytes = 64 * 1024;

  RecentEnds(std::chrono::steady_clock::duration window, std::size_t max_kept,
             std::size_t max_bytes = 8 << 20)
      : window_(window), max_kept_(max_kept), max_bytes_(max_bytes) {}

  // The task's end as this node stored it (status and result; the request is not kept).
  void Add(const std::string& id, const std::string& owner, const std::string& status,
           const std::string& result);
  // The stored end of `owner`'s task `id` if it is kept here; nullopt otherwise (another user's
  // task too: the store then answers, with its usual NotFound).
  std::optional<TaskRecord> Find(const std::string& id, const std::string& owner);

 private:
  struct End {
    std::string owner;
    std::string status;
    std::string result;
    std::chrono::steady_clock::time_point at;
  };
  void ForgetOld(std::chrono::steady_clock::time_point now);  // under mu_
  void ForgetOldest();                                        // under mu_

  const std::chrono::steady_clock::duration window_;
  const std::size_t max_kept_;
  const std::size_t max_bytes_;
  std::size_t bytes_ = 0;  // of the results kept, under mu_
  std::mutex mu_;
  std::unordered_map<std::string, End> ends_;  // by task id
  std::deque<std::string> order_;              // ids, oldest first
};

}  // namespace sfapid
