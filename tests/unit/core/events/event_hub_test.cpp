// The hub between the event store and this node's streams and long-polls, against an in-memory
// store whose reads by the hub can be held back: the hub lagging behind what is committed, as it
// does for a moment after every append.
#include "core/events/event_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

namespace sfapid {
namespace {

using namespace std::chrono_literals;

// Committed events in a vector; the hub's own reads (EventsAfter) see only those up to
// `hub_sees_`, so a test decides when the hub catches up. A stream's reads see everything.
class LaggingEventStore : public EventStore {
 public:
  Result<int64_t> AppendEvent(const EventRecord& event) override {
    std::lock_guard lock(mu_);
    EventRecord e = event;
    e.id = ++next_id_;
    events_.push_back(e);
    return e.id;
  }
  Result<std::vector<EventRecord>> EventsAfter(int64_t after_id, int limit) override {
    std::lock_guard lock(mu_);
    return Select("", after_id, limit, hub_sees_);
  }
  Result<std::vector<EventRecord>> EventsOfAfter(const std::string& owner, int64_t after_id,
                                                 int limit) override {
    std::lock_guard lock(mu_);
    return Select(owner, after_id, limit, next_id_);
  }
  Result<int64_t> LastEventId() override {
    std::lock_guard lock(mu_);
    return next_id_;
  }
  Result<int64_t> FirstEventId() override {
    std::lock_guard lock(mu_);
    return events_.empty() ? 0 : events_.front().id;
  }
  Result<int> PurgeEventsBefore(int64_t) override { return 0; }
  void WaitForEvents(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, timeout, [&] { return std::exchange(woken_, false); });
  }
  void Wake() override {
    std::lock_guard lock(mu_);
    woken_ = true;
    wake_.notify_all();
  }

  // The hub's reads see every event committed so far, and it is woken to read them.
  void LetTheHubSeeAll() {
    {
      std::lock_guard lock(mu_);
      hub_sees_ = next_id_;
    }
    Wake();
  }
  // Events purged by retention: the oldest kept is `first_kept`.
  void DropBefore(int64_t first_kept) {
    std::lock_guard lock(mu_);
    std::erase_if(events_, [&](const EventRecord& e) { return e.id < first_kept; });
  }

 private:
  std::vector<EventRecord> Select(const std::string& owner, int64_t after_id, int limit,
                                  int64_t up_to) const {
    std::vector<EventRecord> out;
    for (const auto& e : events_)
      if (e.id > after_id && e.id <= up_to && (owner.empty() || e.owner == owner) &&
          static_cast<int>(out.size()) < limit)
        out.push_back(e);
    return out;
  }

  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::vector<EventRecord> events_;
  int64_t next_id_ = 0, hub_sees_ = 0;
};

EventRecord Event(const std::string& owner, const std::string& object,
                  const std::string& kind = "task") {
  return {0, 0, owner, kind, object, R"({"status":"completed"})"};
}

std::vector<std::string> ObjectsOf(const std::vector<EventRecord>& events) {
  std::vector<std::string> objects;
  for (const auto& e : events) objects.push_back(e.object_id);
  return objects;
}

class EventHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.poll_interval_seconds = 60;  // only the test's wakes make the hub read
    config_.max_streams_per_user = 2;
  }
  void TearDown() override { hub_.Stop(); }

  int64_t Append(const std::string& owner, const std::string& object) {
    auto id = store_.AppendEvent(Event(owner, object));
    EXPECT_TRUE(id);
    return id ? *id : 0;
  }
  // Lets the hub read what is committed and waits until it has dispatched it.
  void Dispatch() {
    const int64_t last = *store_.LastEventId();
    store_.LetTheHubSeeAll();
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         hub_.last_dispatched() < last && std::chrono::steady_clock::now() < deadline;)
      std::this_thread::sleep_for(1ms);
    ASSERT_EQ(hub_.last_dispatched(), last);
  }
  std::shared_ptr<EventSubscription> Stream(const std::string& owner,
                                            std::optional<int64_t> after = std::nullopt,
                                            EventFilter filter = {}) {
    auto sub = hub_.Subscribe(owner, std::move(filter), after);
    EXPECT_TRUE(sub) << sub.status().message();
    return sub ? *sub : nullptr;
  }

  LaggingEventStore store_;
  EventsConfig config_;
  EventHub hub_{store_, config_};
};

TEST_F(EventHubTest, AStreamWithoutAResumePointStartsAfterEverythingCommittedNotDispatched) {
  hub_.Start();
  Append("alice", "earlier");
  Dispatch();
  Append("alice", "ended-just-before");  // committed; the hub has not read it yet
  auto sub = Stream("alice");
  Dispatch();  // the hub catches up and hands it to the stream: it must not count as news
  Append("alice", "after");
  Dispatch();
  EXPECT_EQ(ObjectsOf(sub->Take().events), std::vector<std::string>{"after"});
}

TEST_F(EventHubTest, AResumedStreamGetsTheBacklogThenLiveEventsOnceInOrder) {
  hub_.Start();
  const int64_t seen = Append("alice", "1");
  Append("alice", "2");
  Append("bob", "not-alices");
  Append("alice", "3");  // committed, not yet dispatched: in the backlog and then live
  auto sub = Stream("alice", seen);
  Dispatch();
  Append("alice", "4");
  Dispatch();
  auto taken = sub->Take();
  EXPECT_EQ(ObjectsOf(taken.events), (std::vector<std::string>{"2", "3", "4"}));
  EXPECT_FALSE(taken.purged);
}

TEST_F(EventHubTest, AResumeFromEventsAlreadyPurgedIsToldSo) {
  hub_.Start();
  Append("alice", "1");
  Append("alice", "2");
  Append("alice", "3");
  Dispatch();
  store_.DropBefore(3);
  auto sub = Stream("alice", 1);  // event 2 is gone
  auto taken = sub->Take();
  EXPECT_TRUE(taken.purged);
  EXPECT_EQ(ObjectsOf(taken.events), std::vector<std::string>{"3"});
}

TEST_F(EventHubTest, EachUserHoldsAtMostTheStreamsAllowedAndClosedOnesDoNotCount) {
  hub_.Start();
  auto first = Stream("alice");
  auto second = Stream("alice");
  auto third = hub_.Subscribe("alice", {}, std::nullopt);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(third.status().message(),
            "user alice has 2 event streams open already (the most allowed); close one first");
  EXPECT_TRUE(hub_.Subscribe("bob", {}, std::nullopt));  // another user's count is their own
  first->Close();
  EXPECT_TRUE(hub_.Subscribe("alice", {}, std::nullopt));
}

TEST_F(EventHubTest, AWatchFiresOnceAtTheNextEventOfItsOwnersObjectOnly) {
  hub_.Start();
  std::atomic<int> fired = 0;
  auto watch = hub_.Watch("alice", "task", "7", [&] { ++fired; });
  Append("bob", "7");    // another owner's object with the same id
  Append("alice", "8");  // another object
  Dispatch();
  EXPECT_EQ(fired, 0);
  Append("alice", "7");
  Dispatch();
  EXPECT_EQ(fired, 1);
  Append("alice", "7");
  Dispatch();
  EXPECT_EQ(fired, 1);  // once: a long-poll watches again if it waits again
  watch->Release();
}

TEST_F(EventHubTest, AWatchSetAfterItsEventFiredWakesAtOnce) {
  hub_.Start();
  auto watch = hub_.Watch("alice", "task", "7", nullptr);
  Append("alice", "7");
  Dispatch();
  bool woke = false;
  watch->SetWake([&] { woke = true; });
  EXPECT_TRUE(woke);
}

}  // namespace
}  // namespace sfapid
