// EventStore on SQL: the `events` table. Appends wake this process's waiter through an eventfd;
// on PostgreSQL they also NOTIFY, and a listening connection of this node's wakes its waiter.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "sql/connection_pool.h"
#include "sql/postgres_listener.h"
#include "store/event_store.h"
#include "util/unique_fd.h"

namespace sfapid::sql {

// Appends inside the caller's transaction, so that a change and its event commit together (or
// neither does): takes the append-order lock, inserts, and on PostgreSQL NOTIFYs. It must be the
// transaction's last statement (the lock is held to its end, so keep that short), and the caller
// calls NoteEventAppended() once the transaction committed.
Result<int64_t> AppendEventIn(Database& db, const EventRecord& event);
// Wakes this process's waiter (WaitForEvents) after an append committed.
void NoteEventAppended();

class SqlEventStore : public EventStore {
 public:
  // listen_url: the PostgreSQL database to LISTEN on; "" on SQLite (one node; the waiter also
  // wakes on its timeout, which catches what another process, such as the CLI, appended).
  SqlEventStore(ConnectionPool& pool, std::string listen_url);
  Result<int64_t> AppendEvent(const EventRecord& event) override;
  Result<std::vector<EventRecord>> EventsAfter(int64_t after_id, int limit) override;
  Result<std::vector<EventRecord>> EventsOfAfter(const std::string& owner, int64_t after_id,
                                                 int limit) override;
  Result<int64_t> LastEventId() override;
  Result<int64_t> FirstEventId() override;
  Result<int> PurgeEventsBefore(int64_t before_ms) override;
  void WaitForEvents(std::chrono::milliseconds timeout) override;
  void Wake() override { NoteEventAppended(); }

  static constexpr const char* kChannel = "sfapid_events";

 private:
  Result<int64_t> OneNumber(const std::string& sql);
  Database& db_;
  ConnectionPool& pool_;
  const std::string listen_url_;
  std::mutex wait_mu_;  // one waiter at a time (the event hub)
  std::unique_ptr<PostgresListener> listener_;
  std::chrono::steady_clock::time_point next_listen_try_{};
};

}  // namespace sfapid::sql
