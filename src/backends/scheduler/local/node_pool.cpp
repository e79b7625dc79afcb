#include "backends/scheduler/local/node_pool.h"

namespace sfapid::local {

NodePool::NodePool(int count, int64_t cpus_per_node, int64_t memory_mb_per_node)
    : cpus_per_node_(cpus_per_node), memory_mb_per_node_(memory_mb_per_node) {
  for (int i = 1; i <= count; ++i) {
    const std::string digits = std::to_string(i);
    names_.push_back("nid" + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits);
  }
  free_cpus_.assign(names_.size(), cpus_per_node_);
  free_mem_.assign(names_.size(), memory_mb_per_node_);
}

std::optional<std::vector<int>> NodePool::Find(int nodes, int64_t cpus, int64_t mem_mb,
                                               const std::vector<bool>* usable) const {
  std::vector<int> chosen;
  for (size_t n = 0; n < names_.size() && chosen.size() < static_cast<size_t>(nodes); ++n)
    if (free_cpus_[n] >= cpus && free_mem_[n] >= mem_mb &&
        (!usable || (n < usable->size() && (*usable)[n])))
      chosen.push_back(static_cast<int>(n));
  if (chosen.size() < static_cast<size_t>(nodes)) return std::nullopt;
  return chosen;
}

void NodePool::Hold(const std::vector<int>& node_ids, int64_t cpus, int64_t mem_mb) {
  Add(node_ids, -cpus, -mem_mb);
}

void NodePool::Release(const std::vector<int>& node_ids, int64_t cpus, int64_t mem_mb) {
  Add(node_ids, cpus, mem_mb);
}

void NodePool::Add(const std::vector<int>& node_ids, int64_t cpus, int64_t mem_mb) {
  for (int n : node_ids) {
    if (n < 0 || static_cast<size_t>(n) >= names_.size()) continue;
    free_cpus_[static_cast<size_t>(n)] += cpus;
    free_mem_[static_cast<size_t>(n)] += mem_mb;
  }
}

}  // namespace sfapid::local
