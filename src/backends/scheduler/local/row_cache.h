// Rendered queue and accounting rows kept between queries. A row depends on its job and on the
// second it is rendered in (elapsed and remaining times), and the job may change whenever the
// scheduler holds its lock exclusively; so rows are kept for one stamp (the scheduler's
// generation, bumped at every exclusive hold, and the second) and all dropped when it moves on.
// Under a query load (clients polling their jobs) most requests then copy text instead of
// rendering 49 fields and serialising them.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "backends/scheduler/scheduler.h"

namespace sfapid::local {

struct RowStamp {
  uint64_t generation = 0;
  int64_t now = 0;
  auto operator<=>(const RowStamp&) const = default;
};

class RowCache {
 public:
  // The row of job `id` rendered at `stamp`, or null.
  SerializedRow Find(int64_t id, bool sacct, RowStamp stamp) const;
  // Keeps a row rendered at `stamp` (dropped when a newer stamp is already kept, or when full).
  void Keep(int64_t id, bool sacct, RowStamp stamp, SerializedRow row);

 private:
  static constexpr size_t kMaxRows = 20000;  // a bound on memory: ~1 KB a row
  mutable std::mutex mu_;  // queries run side by side (the scheduler's lock shared)
  RowStamp stamp_;
  std::unordered_map<int64_t, SerializedRow> squeue_, sacct_;
};

}  // namespace sfapid::local
