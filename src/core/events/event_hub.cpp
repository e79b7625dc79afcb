#include "core/events/event_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/time_format.h"

namespace sfapid {

namespace {

constexpr int kBatch = 500;
constexpr auto kPurgeEvery = std::chrono::minutes(10);

std::chrono::milliseconds Ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

}  // namespace

EventHub::EventHub(EventStore& store, const EventsConfig& config)
    : store_(store), config_(config) {}

EventHub::~EventHub() { Stop(); }

void EventHub::Start() {
  // From the last committed event on: what came before is the backlog of whoever resumes.
  auto last = store_.LastEventId();
  if (!last) spdlog::warn("events: cannot read the last event: {}", last.status().message());
  last_ = last ? *last : 0;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void EventHub::Stop() {
  stopping_ = true;
  store_.Wake();
  if (thread_.joinable()) thread_.join();
}

void EventHub::Loop() {
  auto next_purge = std::chrono::steady_clock::now();
  while (!stopping_) {
    for (;;) {
      auto batch = store_.EventsAfter(last_, kBatch);
      if (!batch) {
        spdlog::warn("events: reading the store failed: {}", batch.status().message());
        break;
      }
      for (const EventRecord& e : *batch) {
        Dispatch(e);
        last_ = e.id;
      }
      if (static_cast<int>(batch->size()) < kBatch) break;
    }
    if (std::chrono::steady_clock::now() >= next_purge) {
      Purge();
      next_purge = std::chrono::steady_clock::now() + kPurgeEvery;
    }
    if (!stopping_) store_.WaitForEvents(Ms(config_.poll_interval_seconds));
  }
}

void EventHub::Dispatch(const EventRecord& e) {
  std::vector<std::shared_ptr<EventSubscription>> subs;
  std::vector<std::shared_ptr<EventWatch>> watches;
  {
    std::lock_guard lock(mu_);
    subs = LiveSubscriptions(e.owner);
    for (auto [it, end] = watches_.equal_range({e.owner, e.kind, e.object_id}); it != end;) {
      if (auto w = it->second.lock()) watches.push_back(std::move(w));
      it = watches_.erase(it);  // a watch fires once
    }
  }
  for (auto& sub : subs) sub->Deliver(e);
  for (auto& w : watches) w->Fire();
}

std::vector<std::shared_ptr<EventSubscription>> EventHub::LiveSubscriptions(
    const std::string& owner) {
  std::vector<std::shared_ptr<EventSubscription>> live;
  for (auto [it, end] = subscriptions_.equal_range(owner); it != end;) {
    auto sub = it->second.lock();
    if (!sub || sub->closed()) {
      it = subscriptions_.erase(it);  // its stream ended
      continue;
    }
    live.push_back(std::move(sub));
    ++it;
  }
  return live;
}

void EventHub::Purge() {
  const int64_t before =
      NowUnixMs() - static_cast<int64_t>(config_.retention_hours * 3600.0 * 1000.0);
  auto purged = store_.PurgeEventsBefore(before);
  if (!purged) spdlog::warn("events: purging old events failed: {}", purged.status().message());
}

Result<std::shared_ptr<EventSubscription>> EventHub::Subscribe(const std::string& owner,
                                                               EventFilter filter,
                                                               std::optional<int64_t> after_id) {
  // Without an id the stream starts now: after every event committed so far, also those the
  // hub has not dispatched yet (it may lag a moment behind the store; a client that saw a task
  // end must not then get that end as news on a stream it opened afterwards).
  int64_t from = after_id ? *after_id : last_.load();
  if (!after_id)
    if (auto newest = store_.LastEventId()) from = std::max(from, *newest);
  auto sub = std::make_shared<EventSubscription>(owner, std::move(filter), from,
                                                 static_cast<std::size_t>(config_.queue_events));
  {
    std::lock_guard lock(mu_);
    const auto held = LiveSubscriptions(owner).size();
    if (held >= static_cast<std::size_t>(config_.max_streams_per_user))
      return Status::FailedPrecondition(
          "user " + owner + " has " + std::to_string(held) +
          " event streams open already (the most allowed); close one first");
    subscriptions_.emplace(owner, sub);
  }
  // Registered first, read second: an event committed meanwhile is in one or both, never in
  // neither, and the subscription keeps each id once.
  bool purged = false;
  if (after_id) {
    auto first = store_.FirstEventId();
    if (!first) return first.status();
    purged = *first > *after_id + 1 || (*first == 0 && *after_id < last_.load());
    // Page by page: the owner's other kinds and objects do not count against the queue.
    for (int64_t cursor = *after_id;;) {
      auto page = store_.EventsOfAfter(owner, cursor, kBatch);
      if (!page) return page.status();
      if (page->empty() || !sub->AddBacklog(*page)) break;
      cursor = page->back().id;
      if (static_cast<int>(page->size()) < kBatch) break;
    }
  }
  sub->FinishCatchUp(purged);
  return sub;
}

std::shared_ptr<EventWatch> EventHub::Watch(const std::string& owner, const std::string& kind,
                                            const std::string& object_id,
                                            std::function<void()> wake) {
  auto w = std::make_shared<EventWatch>(std::move(wake));
  std::lock_guard lock(mu_);
  // Watches of objects that never changed again stay behind their long-polls: swept now and
  // then, so that the map stays as large as the waiting long-polls.
  if (++watches_added_ % 1024 == 0)
    std::erase_if(watches_, [](const auto& entry) { return entry.second.expired(); });
  watches_.emplace(WatchKey{owner, kind, object_id}, w);
  return w;
}

}  // namespace sfapid
