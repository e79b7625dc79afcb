#include "backends/scheduler/local/row_cache.h"

namespace sfapid::local {

SerializedRow RowCache::Find(int64_t id, bool sacct, RowStamp stamp) const {
  std::lock_guard lock(mu_);
  if (stamp != stamp_) return nullptr;
  const auto& rows = sacct ? sacct_ : squeue_;
  const auto it = rows.find(id);
  return it == rows.end() ? nullptr : it->second;
}

void RowCache::Keep(int64_t id, bool sacct, RowStamp stamp, SerializedRow row) {
  std::lock_guard lock(mu_);
  if (stamp < stamp_) return;
  if (stamp != stamp_) {
    squeue_.clear();
    sacct_.clear();
    stamp_ = stamp;
  }
  auto& rows = sacct ? sacct_ : squeue_;
  if (rows.size() < kMaxRows) rows[id] = std::move(row);
}

}  // namespace sfapid::local
