// Events (GET /api/v1.2/events, long-poll; docs/events.md): every change of a user's task, job,
// reservation or transfer, appended in order. In the store, so that every node sees every node's
// events, a client that reconnects resumes from the last id it saw, and a restart loses none.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid {

struct EventRecord {
  int64_t id = 0;  // store-ordered: an event with a larger id was appended (committed) later
  int64_t created_ms = 0;
  std::string owner;      // the API user whose object changed
  std::string kind;       // task | job | reservation | transfer
  std::string object_id;  // the task id, "machine/jobid", the reservation id, the transfer id
  std::string data;       // a JSON object: the new state and what else the kind tells
  bool operator==(const EventRecord&) const = default;
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  // Appends the event (its id and created_ms as given are ignored) and returns its id. Appends
  // are serialized across nodes, so ids become visible in order: a reader that has seen id N has
  // seen every event below N that will ever exist.
  virtual Result<int64_t> AppendEvent(const EventRecord& event) = 0;
  // Events after `after_id`, in id order, at most `limit`: of every user, or of one.
  virtual Result<std::vector<EventRecord>> EventsAfter(int64_t after_id, int limit) = 0;
  virtual Result<std::vector<EventRecord>> EventsOfAfter(const std::string& owner, int64_t after_id,
                                                         int limit) = 0;
  // The id of the last event appended (0 when none ever was), and of the oldest one still kept
  // (0 when none is): a resume from below that has lost events.
  virtual Result<int64_t> LastEventId() = 0;
  virtual Result<int64_t> FirstEventId() = 0;
  // Removes events created before `before_ms`; how many.
  virtual Result<int> PurgeEventsBefore(int64_t before_ms) = 0;
  // Returns when an event may have been appended since the last call — by this process, or on
  // PostgreSQL by any node (LISTEN/NOTIFY) — or when `timeout` passed. May return early.
  virtual void WaitForEvents(std::chrono::milliseconds timeout) = 0;
  // Makes a WaitForEvents in progress (or the next one) return at once: stopping its thread.
  virtual void Wake() = 0;
};

}  // namespace sfapid
