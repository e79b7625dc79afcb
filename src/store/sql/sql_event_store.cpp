#include "store/sql/sql_event_store.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/time_format.h"

namespace sfapid::sql {

namespace {

constexpr const char* kColumns = "id, created_ms, owner, kind, object_id, data";

EventRecord ReadEvent(const Statement& s) {
  return EventRecord{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)};
}

}  // namespace

// One per process: every store's appends wake the waiter (more than one store in a process is
// only seen in tests, where a spurious wake-up costs a read).
static int AppendedFd() {
  static const UniqueFd fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  return fd.get();
}

Result<int64_t> AppendEventIn(Database& db, const EventRecord& e) {
  if (IsPostgres(db)) {
    // One append at a time across nodes, so that ids commit in order and a reader that saw id N
    // never later finds a smaller one (an identity column alone does not promise that). A
    // transaction-scoped advisory lock: it does not wait behind VACUUM as a table lock would.
    if (Status s = db.Exec("SELECT pg_advisory_xact_lock(7261627)"); !s.ok()) return s;
  }
  auto stmt = db.Prepare(
      "INSERT INTO events(created_ms, owner, kind, object_id, data) "
      "VALUES(?1, ?2, ?3, ?4, ?5) RETURNING id");
  if (!stmt) return stmt.status();
  stmt->Bind(1, NowUnixMs()).Bind(2, e.owner).Bind(3, e.kind).Bind(4, e.object_id);
  stmt->Bind(5, e.data);
  auto id = stmt->RunReturningId();
  if (!id) return id;
  // Delivered to every listening node when the transaction commits.
  if (IsPostgres(db))
    if (Status s = db.Exec(std::string("NOTIFY ") + SqlEventStore::kChannel); !s.ok()) return s;
  return id;
}

void NoteEventAppended() {
  const uint64_t one = 1;
  (void)!::write(AppendedFd(), &one, sizeof one);
}

SqlEventStore::SqlEventStore(ConnectionPool& pool, std::string listen_url)
    : db_(pool), pool_(pool), listen_url_(std::move(listen_url)) {}

Result<int64_t> SqlEventStore::AppendEvent(const EventRecord& e) {
  Result<int64_t> id = Status::Internal("not appended");
  {
    std::lock_guard lock(pool_);
    Status done = db_.InTransaction([&]() -> Status {
      id = AppendEventIn(db_, e);
      return id.status();
    });
    if (!done.ok()) return done;
  }
  NoteEventAppended();
  return id;
}

Result<std::vector<EventRecord>> SqlEventStore::EventsAfter(int64_t after_id, int limit) {
  std::lock_guard lock(pool_);
  return db_.Query<EventRecord>(
      std::string("SELECT ") + kColumns + " FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
      [&](Statement& st) { st.Bind(1, after_id).Bind(2, static_cast<int64_t>(limit)); }, ReadEvent);
}

Result<std::vector<EventRecord>> SqlEventStore::EventsOfAfter(const std::string& owner,
                                                              int64_t after_id, int limit) {
  std::lock_guard lock(pool_);
  return db_.Query<EventRecord>(
      std::string("SELECT ") + kColumns +
          " FROM events WHERE owner = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
      [&](Statement& st) {
        st.Bind(1, owner).Bind(2, after_id).Bind(3, static_cast<int64_t>(limit));
      },
      ReadEvent);
}

Result<int64_t> SqlEventStore::OneNumber(const std::string& sql) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<int64_t>(
      sql, [](Statement&) {}, [](const Statement& s) { return s.Int(0); });
  if (!rows) return rows.status();
  return rows->empty() ? 0 : rows->front();
}

Result<int64_t> SqlEventStore::LastEventId() {
  // The table's counter, not MAX(id): ids of purged events are never handed out again.
  if (IsPostgres(db_))
    return OneNumber("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM events_id_seq");
  return OneNumber("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)");
}

Result<int64_t> SqlEventStore::FirstEventId() {
  return OneNumber("SELECT COALESCE(MIN(id), 0) FROM events");
}

Result<int> SqlEventStore::PurgeEventsBefore(int64_t before_ms) {
  std::lock_guard lock(pool_);
  if (Status s = db_.Run("DELETE FROM events WHERE created_ms < ?1",
                         [&](Statement& st) { st.Bind(1, before_ms); });
      !s.ok())
    return s;
  return db_.Changes();
}

void SqlEventStore::WaitForEvents(std::chrono::milliseconds timeout) {
  std::lock_guard lock(wait_mu_);
  if (!listen_url_.empty() && !listener_ && std::chrono::steady_clock::now() >= next_listen_try_) {
    auto opened = PostgresListener::Open(listen_url_, kChannel);
    if (opened) {
      listener_ = std::move(opened).value();
    } else {
      // Meanwhile the timeout is the only wake-up from other nodes: slower, nothing lost.
      spdlog::warn("events: {}; retrying in 5 s", opened.status().message());
      next_listen_try_ = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    }
  }
  pollfd fds[2] = {{AppendedFd(), POLLIN, 0}, {listener_ ? listener_->socket() : -1, POLLIN, 0}};
  if (::poll(fds, listener_ ? 2 : 1, static_cast<int>(timeout.count())) <= 0) return;
  if (fds[0].revents) {
    uint64_t count;
    (void)!::read(AppendedFd(), &count, sizeof count);
  }
  if (listener_ && fds[1].revents && !listener_->Consume()) {
    spdlog::warn("events: the LISTEN connection to PostgreSQL was lost; reconnecting");
    listener_.reset();
  }
}

}  // namespace sfapid::sql
