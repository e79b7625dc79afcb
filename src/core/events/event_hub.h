// The events of every user, as the store orders them, handed to the streams and long-polls of
// this node: one thread reads what was appended (woken by this process's appends, by any node's
// through PostgreSQL's NOTIFY, or by its poll interval) and passes each event to the owner's
// subscriptions and watches. It also purges events older than the retention.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>

#include "config/config.h"
#include "core/events/event_subscription.h"
#include "store/event_store.h"

namespace sfapid {

// A long-poll's interest in one object: `wake` is called at its next event (also when the event
// came before the wake was set), until released.
class EventWatch {
 public:
  explicit EventWatch(std::function<void()> wake) : wake_(std::move(wake)) {}
  void Fire() {
    std::lock_guard lock(mu_);
    fired_ = true;
    if (wake_) wake_();
  }
  void SetWake(std::function<void()> wake) {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
    if (fired_ && wake_) wake_();
  }
  void Release() {
    std::lock_guard lock(mu_);
    wake_ = nullptr;
  }

 private:
  std::mutex mu_;
  bool fired_ = false;
  std::function<void()> wake_;
};

class EventHub {
 public:
  EventHub(EventStore& store, const EventsConfig& config);
  ~EventHub();
  void Start();
  void Stop();

  // A stream of the owner's events after `after_id` (0: from now on; the backlog first, then
  // live). FailedPrecondition when the owner holds max_streams_per_user streams already.
  Result<std::shared_ptr<EventSubscription>> Subscribe(const std::string& owner, EventFilter filter,
                                                       std::optional<int64_t> after_id);
  // Wakes at the next event of the owner's object; release the watch when done.
  std::shared_ptr<EventWatch> Watch(const std::string& owner, const std::string& kind,
                                    const std::string& object_id, std::function<void()> wake);

  int64_t last_dispatched() const { return last_.load(); }

 private:
  void Loop();
  void Dispatch(const EventRecord& e);
  void Purge();
  // The owner's subscriptions whose streams are still open (the others forgotten); under mu_.
  std::vector<std::shared_ptr<EventSubscription>> LiveSubscriptions(const std::string& owner);

  EventStore& store_;
  const EventsConfig& config_;
  std::atomic<int64_t> last_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  std::mutex mu_;
  std::multimap<std::string, std::weak_ptr<EventSubscription>> subscriptions_;  // by owner
  using WatchKey = std::tuple<std::string, std::string, std::string>;  // owner, kind, object
  std::multimap<WatchKey, std::weak_ptr<EventWatch>> watches_;
  uint64_t watches_added_ = 0;
};

}  // namespace sfapid
