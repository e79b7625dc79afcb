// One client's stream of its own events: the backlog since the id it resumes from, then live
// events, each once and in order, in a bounded queue. A client that falls further behind than the
// queue holds is not allowed to grow memory: its stream is marked overflowed and ends once it has
// taken what is queued (the API tells it where to resume).
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/event_store.h"

namespace sfapid {

struct EventFilter {
  std::set<std::string> kinds;       // empty: every kind
  std::set<std::string> object_ids;  // empty: every object
  bool Matches(const EventRecord& e) const {
    return (kinds.empty() || kinds.contains(e.kind)) &&
           (object_ids.empty() || object_ids.contains(e.object_id));
  }
};

class EventSubscription {
 public:
  EventSubscription(std::string owner, EventFilter filter, int64_t after_id, std::size_t capacity)
      : owner_(std::move(owner)),
        filter_(std::move(filter)),
        last_id_(after_id),
        capacity_(capacity) {}

  const std::string& owner() const { return owner_; }

  // The hub's live events (any thread). While the backlog is read they wait aside, so that
  // nothing is lost between the two and nothing comes twice.
  void Deliver(const EventRecord& e);
  // The backlog, read from the store page by page after the subscription was registered: false
  // once the queue is full (the rest is not needed: the stream will end there). Then the live
  // events that came meanwhile. `purged`: events after the resume point are gone (retention).
  bool AddBacklog(const std::vector<EventRecord>& page);
  void FinishCatchUp(bool purged);

  // The consumer's side (the connection's thread).
  void SetWake(std::function<void()> wake);
  struct Taken {
    std::vector<EventRecord> events;
    bool purged = false;      // tell the client to read the state again before these
    bool overflowed = false;  // after these, the stream ends: the client was too slow
    bool closed = false;      // ended by the server
  };
  Taken Take();
  int64_t last_id() const;
  void Close();  // the consumer went: the hub forgets it
  bool closed() const;

 private:
  void Queue(const EventRecord& e);  // under mu_
  void WakeLocked();

  const std::string owner_;
  const EventFilter filter_;
  mutable std::mutex mu_;
  int64_t last_id_;  // the last id queued (or resumed from)
  const std::size_t capacity_;
  bool catching_up_ = true;
  std::vector<EventRecord> aside_;  // live events that came during the catch-up
  std::deque<EventRecord> queue_;
  bool purged_ = false, overflowed_ = false, closed_ = false;
  std::function<void()> wake_;
};

}  // namespace sfapid
