#include "core/events/event_subscription.h"

namespace sfapid {

void EventSubscription::Queue(const EventRecord& e) {
  if (e.id <= last_id_ || overflowed_ || closed_) return;
  if (!filter_.Matches(e)) {
    last_id_ = e.id;
    return;
  }
  if (queue_.size() >= capacity_) {
    overflowed_ = true;  // queued events are still taken; then the stream ends
    return;
  }
  queue_.push_back(e);
  last_id_ = e.id;
}

void EventSubscription::WakeLocked() {
  if (wake_) wake_();
}

void EventSubscription::Deliver(const EventRecord& e) {
  std::lock_guard lock(mu_);
  if (catching_up_) {
    if (aside_.size() < capacity_)
      aside_.push_back(e);
    else
      overflowed_ = true;
    return;
  }
  Queue(e);
  WakeLocked();
}

bool EventSubscription::AddBacklog(const std::vector<EventRecord>& page) {
  std::lock_guard lock(mu_);
  for (const EventRecord& e : page) Queue(e);
  return !overflowed_;
}

void EventSubscription::FinishCatchUp(bool purged) {
  std::lock_guard lock(mu_);
  purged_ = purged;
  for (const EventRecord& e : aside_) Queue(e);
  aside_.clear();
  catching_up_ = false;
  WakeLocked();
}

void EventSubscription::SetWake(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  wake_ = std::move(wake);
  WakeLocked();
}

EventSubscription::Taken EventSubscription::Take() {
  std::lock_guard lock(mu_);
  Taken t;
  t.purged = std::exchange(purged_, false);
  t.events.assign(queue_.begin(), queue_.end());
  queue_.clear();
  t.overflowed = overflowed_;
  t.closed = closed_;
  return t;
}

int64_t EventSubscription::last_id() const {
  std::lock_guard lock(mu_);
  return last_id_;
}

void EventSubscription::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  wake_ = nullptr;
}

bool EventSubscription::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

}  // namespace sfapid
