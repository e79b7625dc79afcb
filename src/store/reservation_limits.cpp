#include <algorithm>
#include <utility>

#include "store/reservation_store.h"

namespace sfapid {

// A sweep over the starts and ends that fall in the window: the running sum peaks at the answer.
int PeakReservedNodes(const std::vector<Reservation>& holding, int64_t start, int64_t end) {
  std::vector<std::pair<int64_t, int>> edges;
  for (const auto& r : holding) {
    if (r.start >= end || r.end <= start) continue;
    edges.emplace_back(std::max(r.start, start), r.nodes);
    edges.emplace_back(std::min(r.end, end), -r.nodes);
  }
  // Ends sort before starts at the same instant: a block ending at t frees its nodes for one
  // starting at t.
  std::sort(edges.begin(), edges.end());
  int now = 0, peak = 0;
  for (const auto& [at, delta] : edges) {
    now += delta;
    peak = std::max(peak, now);
  }
  return peak;
}

}  // namespace sfapid
