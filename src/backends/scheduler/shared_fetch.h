// One read of a scheduler view for all the nodes on one store (domain/shared_views.h): a node that
// needs a view newer than the saved one takes the claim to refresh it and asks the scheduler, or,
// when another node holds the claim, waits for that node's view. A claim ends by itself after
// claim_ms, so the death of the refreshing node delays the others by at most that long. The
// minimum interval between two refreshes holds across all nodes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "domain/shared_views.h"

namespace sfapid {

class SharedFetch {
 public:
  using Read = std::function<Result<std::string>()>;  // asks the scheduler itself

  SharedFetch(SharedViews& views, std::string key, std::string node, int64_t min_interval_ms,
              int64_t claim_ms);

  // A view whose reading started at or after not_before_ms (Unix ms).
  Result<SharedView> Get(int64_t not_before_ms, const Read& read);

  // The user changed the view (read-your-writes through every node).
  void NoteChange(const std::string& user, int64_t at_ms);
  // When the user last changed it through any node (0: never or unknown).
  int64_t LastChange(const std::string& user);

  const std::string& key() const { return key_; }
  uint64_t own_reads() const { return own_reads_; }        // this node asked the scheduler
  uint64_t shared_reads() const { return shared_reads_; }  // another node's view was used

 private:
  SharedViews& views_;
  const std::string key_, node_;
  const int64_t min_interval_ms_, claim_ms_;
  std::atomic<uint64_t> own_reads_{0}, shared_reads_{0};
};

}  // namespace sfapid
