// The local scheduler's cluster: `count` identical nodes named nid001, nid002, ..., each with
// CPUs and memory that running jobs hold. A job takes the first nodes with room for its share
// (first fit, as Slurm's default node order), and gives them back when it ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sfapid::local {

class NodePool {
 public:
  NodePool(int count, int64_t cpus_per_node, int64_t memory_mb_per_node);

  const std::vector<std::string>& names() const { return names_; }
  size_t size() const { return names_.size(); }
  int64_t cpus_per_node() const { return cpus_per_node_; }
  int64_t memory_mb_per_node() const { return memory_mb_per_node_; }

  // The first `nodes` nodes that each have `cpus` CPUs and `mem_mb` MB free (among the `usable`
  // ones when given: reservations decide), or nullopt when fewer have room now.
  std::optional<std::vector<int>> Find(int nodes, int64_t cpus, int64_t mem_mb,
                                       const std::vector<bool>* usable = nullptr) const;
  // Marks the share as used on each node (ids outside the pool, from an older configuration
  // with more nodes, are skipped) and gives it back.
  void Hold(const std::vector<int>& node_ids, int64_t cpus, int64_t mem_mb);
  void Release(const std::vector<int>& node_ids, int64_t cpus, int64_t mem_mb);

  int64_t free_cpus(int node) const { return free_cpus_[static_cast<size_t>(node)]; }
  int64_t free_mem_mb(int node) const { return free_mem_[static_cast<size_t>(node)]; }

 private:
  void Add(const std::vector<int>& node_ids, int64_t cpus, int64_t mem_mb);

  std::vector<std::string> names_;
  int64_t cpus_per_node_, memory_mb_per_node_;
  std::vector<int64_t> free_cpus_, free_mem_;
};

}  // namespace sfapid::local
