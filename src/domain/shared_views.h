// Views of a scheduler (the whole Slurm queue) that several sfapid nodes share through their common
// store, so that the scheduler is asked once per refresh however many nodes serve the API: one
// node at a time holds the right to refresh a view (a claim with an end, so a node that dies while
// it refreshes does not block the others), saves what it read with the time it started reading,
// and every node reads that. Per-user change marks carry read-your-writes across nodes: a user who
// submitted through one node and reads through another sees a view taken after the submission.
//
// Declared here, beside the other shared vocabulary, because the store implements it and the
// scheduler backends use it, and neither layer may include the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/status.h"

namespace sfapid {

struct SharedView {
  int64_t taken_ms = 0;  // Unix ms when the reading started: what it shows is at least that new
  std::string data;      // the scheduler's own output, parsed by each reader
};

class SharedViews {
 public:
  virtual ~SharedViews() = default;

  // The view saved under key if its reading started at or after not_before_ms; nullopt otherwise
  // (then nothing of its data is read: waiters ask often).
  virtual Result<std::optional<SharedView>> ReadView(const std::string& key,
                                                     int64_t not_before_ms) = 0;
  // Takes the right to refresh key until until_ms, for a reader that needs a view taken at or
  // after not_before_ms. False when another node holds it, when the last refresh (by any node)
  // started less than min_interval_ms before now_ms, or when such a view was saved meanwhile
  // (read it instead: without this, a node that looked just before another saved would read
  // the scheduler a second time).
  virtual Result<bool> ClaimRefresh(const std::string& key, const std::string& node, int64_t now_ms,
                                    int64_t until_ms, int64_t min_interval_ms,
                                    int64_t not_before_ms) = 0;
  // Saves a view (kept only if newer than the saved one) and lets the claim go.
  virtual Status SaveView(const std::string& key, const std::string& node,
                          const SharedView& view) = 0;
  // Lets the claim go after a failed refresh (the next may start after the minimum interval).
  virtual Status ReleaseRefresh(const std::string& key, const std::string& node) = 0;

  // The user changed what key shows (a submit, a cancel) at at_ms.
  virtual Status NoteChange(const std::string& key, const std::string& user, int64_t at_ms) = 0;
  // When the user last changed it (0: never).
  virtual Result<int64_t> LastChange(const std::string& key, const std::string& user) = 0;
};

}  // namespace sfapid
