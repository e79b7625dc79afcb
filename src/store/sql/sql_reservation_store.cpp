#include "store/sql/sql_reservation_store.h"

#include <boost/json.hpp>
#include <set>

#include "store/sql/sql_event_store.h"
#include "store/sql/time_columns.h"
#include "util/split.h"

namespace sfapid::sql {

namespace {

constexpr const char* kColumns =
    "id, name, machine, account, users, all_members, nodes, node_names, start_time, end_time, "
    "partition, features, reason, state, state_reason, requested_by, decided_by, client_id, "
    "callback_url, callback_email, charge_factor, charged_node_seconds, charged, released, "
    "policy_override, change_nodes, change_start, change_end, change_users, change_all_members, "
    "change_by, change_approved, name_held, created_at, updated_at";

// Names in lists are user, account and host names: never a comma.
std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out.push_back(',');
    out.append(item);
  }
  return out;
}

Reservation Row(const Statement& s) {
  Reservation r;
  r.id = s.Int(0);
  r.name = s.Text(1);
  r.machine = s.Text(2);
  r.account = s.Text(3);
  r.users = SplitList(s.Text(4));
  r.all_members = s.Int(5) != 0;
  r.nodes = static_cast<int>(s.Int(6));
  r.node_names = SplitList(s.Text(7));
  r.start = s.Int(8);
  r.end = s.Int(9);
  r.partition = s.Text(10);
  r.constraint = s.Text(11);
  r.reason = s.Text(12);
  r.state = ParseReservationState(s.Text(13)).value_or(ReservationState::kFailed);
  r.state_reason = s.Text(14);
  r.requested_by = s.Text(15);
  r.decided_by = s.Text(16);
  r.client_id = s.Text(17);
  r.callback_url = s.Text(18);
  r.callback_email = s.Text(19);
  r.charge_factor = std::stod(s.Text(20));
  r.charged_node_hours = static_cast<double>(s.Int(21)) / 3600.0;
  r.charged = s.Int(22) != 0;
  r.released = s.Int(23) != 0;
  r.policy_override = s.Int(24) != 0;
  if (s.OptionalText(25)) {
    ReservationChange c;
    c.nodes = static_cast<int>(s.Int(25));
    c.start = s.Int(26);
    c.end = s.Int(27);
    c.users = SplitList(s.Text(28));
    c.all_members = s.Int(29) != 0;
    c.requested_by = s.Text(30);
    c.approved = s.Int(31) != 0;
    r.pending_change = std::move(c);
  }
  r.created_at = s.Int(33);
  r.updated_at = s.Int(34);
  return r;
}

bool NameHeld(const Reservation& r) { return !(IsFinal(r.state) && r.released); }

// Binds ?1..?34 in kColumns' order after id.
void BindFields(Statement& s, const Reservation& r) {
  s.Bind(1, r.name).Bind(2, r.machine).Bind(3, r.account).Bind(4, Join(r.users));
  s.Bind(5, int64_t{r.all_members}).Bind(6, int64_t{r.nodes}).Bind(7, Join(r.node_names));
  s.Bind(8, r.start).Bind(9, r.end).Bind(10, r.partition).Bind(11, r.constraint);
  s.Bind(12, r.reason).Bind(13, ReservationStateName(r.state)).Bind(14, r.state_reason);
  s.Bind(15, r.requested_by).Bind(16, r.decided_by).Bind(17, r.client_id);
  s.Bind(18, r.callback_url).Bind(19, r.callback_email);
  // REAL through text keeps the Statement API small; a charge factor needs no more precision.
  s.Bind(20, std::to_string(r.charge_factor));
  s.Bind(21, static_cast<int64_t>(r.charged_node_hours * 3600.0 + 0.5));
  s.Bind(22, int64_t{r.charged}).Bind(23, int64_t{r.released}).Bind(24, int64_t{r.policy_override});
  if (const auto& c = r.pending_change) {
    s.Bind(25, int64_t{c->nodes}).Bind(26, c->start).Bind(27, c->end).Bind(28, Join(c->users));
    s.Bind(29, int64_t{c->all_members}).Bind(30, c->requested_by).Bind(31, int64_t{c->approved});
  } else {
    for (int i = 25; i <= 31; ++i) s.BindNull(i);
  }
  s.Bind(32, int64_t{NameHeld(r)}).Bind(33, r.created_at).Bind(34, r.updated_at);
}

// The stream event of a history line (kind "reservation"), for each person it concerns: who asked
// for it and the users it names (an operator's maintenance reservation has no requester to tell).
// Who acted is left out: an operator's name is not the user's business.
std::vector<EventRecord> StreamEvents(const Reservation& r, int64_t id, const ReservationEvent& e) {
  boost::json::object data{{"machine", r.machine},
                           {"id", std::to_string(id)},
                           {"name", r.name},
                           {"state", e.state},
                           {"action", e.action}};
  if (!e.note.empty()) data["note"] = e.note;
  const std::string text = boost::json::serialize(data);
  std::set<std::string> people(r.users.begin(), r.users.end());
  people.insert(r.requested_by);
  std::vector<EventRecord> out;
  for (const std::string& person : people)
    if (!person.empty() && !person.starts_with("operator:"))
      out.push_back({0, 0, person, "reservation", std::to_string(id), text});
  return out;
}

constexpr const char* kHolding = "('approved', 'scheduled', 'active')";
constexpr const char* kUnfinished = "('requested', 'approved', 'scheduled', 'active')";

}  // namespace

Status SqlReservationStore::CheckLimits(const Reservation& r, const ReservationLimits& limits,
                                        bool adding) {
  if (adding && limits.max_active_per_project > 0) {
    auto n = db_.Query<int64_t>(
        std::string("SELECT COUNT(*) FROM reservations WHERE machine = ?1 AND account = ?2 AND "
                    "state IN ") +
            kUnfinished,
        [&](Statement& s) { s.Bind(1, r.machine).Bind(2, r.account); },
        +[](const Statement& s) { return s.Int(0); });
    if (!n) return n.status();
    if (!n->empty() && n->front() >= limits.max_active_per_project)
      return Status::FailedPrecondition(
          "max_active_per_project: project " + r.account + " already has " +
          std::to_string(n->front()) + " unfinished reservations on " + r.machine +
          " (the limit is " + std::to_string(limits.max_active_per_project) + ")");
  }
  if (limits.cluster_nodes > 0 && HoldsNodes(r.state)) {
    auto others = db_.Query<Reservation>(
        std::string("SELECT ") + kColumns +
            " FROM reservations WHERE machine = ?1 AND id != ?2 AND start_time < ?4 AND "
            "end_time > ?3 AND state IN " +
            kHolding,
        [&](Statement& s) { s.Bind(1, r.machine).Bind(2, r.id).Bind(3, r.start).Bind(4, r.end); },
        &Row);
    if (!others) return others.status();
    const int peak = PeakReservedNodes(*others, r.start, r.end);
    if (peak + r.nodes > limits.cluster_nodes)
      return Status::FailedPrecondition(
          "nodes: " + std::to_string(r.nodes) +
          " nodes are not free for the whole window: " + std::to_string(peak) + " of the " +
          std::to_string(limits.cluster_nodes) + " nodes of " + r.machine + " are reserved then");
  }
  return Status::Ok();
}

Status SqlReservationStore::AppendEvent(const Reservation& r, int64_t id,
                                        const ReservationEvent& e) {
  Status s = db_.Run(
      "INSERT INTO reservation_events(reservation_id, at, actor, action, state, note) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
      [&](Statement& st) {
        st.Bind(1, id).Bind(2, e.at).Bind(3, e.actor).Bind(4, e.action).Bind(5, e.state);
        st.Bind(6, e.note);
      });
  // Last in the transaction, as AppendEventIn asks: the stream's events commit with the line.
  for (const EventRecord& event : StreamEvents(r, id, e)) {
    if (!s.ok()) break;
    s = AppendEventIn(db_, event).status();
  }
  return s;
}

Result<std::vector<ReservationEvent>> SqlReservationStore::ReservationHistory(int64_t id) {
  std::lock_guard lock(pool_);
  return db_.Query<ReservationEvent>(
      "SELECT reservation_id, at, actor, action, state, note FROM reservation_events WHERE "
      "reservation_id = ?1 ORDER BY seq",
      [&](Statement& s) { s.Bind(1, id); },
      +[](const Statement& s) {
        return ReservationEvent{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)};
      });
}

Result<std::vector<ReservationNotice>> SqlReservationStore::UnnotifiedEvents(int limit) {
  std::lock_guard lock(pool_);
  return db_.Query<ReservationNotice>(
      "SELECT e.seq, e.reservation_id, e.at, e.actor, e.action, e.state, e.note FROM reservations "
      "r JOIN reservation_events e ON e.reservation_id = r.id AND e.seq > r.notified_seq WHERE "
      "r.callback_url != '' OR r.callback_email != '' ORDER BY e.seq LIMIT ?1",
      [&](Statement& s) { s.Bind(1, static_cast<int64_t>(limit)); },
      +[](const Statement& s) {
        return ReservationNotice{s.Int(0), ReservationEvent{s.Int(1), s.Int(2), s.Text(3),
                                                            s.Text(4), s.Text(5), s.Text(6)}};
      });
}

Status SqlReservationStore::MarkNotified(int64_t reservation_id, int64_t seq) {
  std::lock_guard lock(pool_);
  return db_.Run("UPDATE reservations SET notified_seq = ?2 WHERE id = ?1 AND notified_seq < ?2",
                 [&](Statement& s) { s.Bind(1, reservation_id).Bind(2, seq); });
}

Result<int64_t> SqlReservationStore::AddReservation(const Reservation& r,
                                                    const ReservationLimits& limits,
                                                    const ReservationEvent& event) {
  std::lock_guard lock(pool_);
  int64_t id = 0;
  Status s = db_.InTransaction([&]() -> Status {
    if (Status c = CheckLimits(r, limits, true); !c.ok()) return c;
    auto taken = db_.Query<int64_t>(
        "SELECT id FROM reservations WHERE machine = ?1 AND name = ?2 AND name_held = 1",
        [&](Statement& st) { st.Bind(1, r.machine).Bind(2, r.name); },
        +[](const Statement& st) { return st.Int(0); });
    if (!taken) return taken.status();
    if (!taken->empty())
      return Status::AlreadyExists("name: a reservation named '" + r.name + "' exists on " +
                                   r.machine);
    auto stmt = db_.Prepare(std::string("INSERT INTO reservations(") + (kColumns + 4) +
                            ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                            "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, "
                            "?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34) RETURNING id");
    if (!stmt) return stmt.status();
    BindFields(*stmt, r);
    auto inserted = stmt->RunReturningId();
    if (!inserted) return inserted.status();
    id = *inserted;
    return AppendEvent(r, id, event);
  });
  if (!s.ok()) return s;
  NoteEventAppended();
  return id;
}

Result<std::vector<Reservation>> SqlReservationStore::Select(const ReservationFilter& f) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM reservations WHERE (?1 = '' OR machine = ?1) AND (?2 < 0 OR id = ?2) "
                    "AND (?3 = '' OR state = ?3) AND (?4 = '' OR account = ?4)";
  if (f.needs_driving)
    sql += std::string(" AND (state IN ") + kHolding + " OR (state NOT IN " + kUnfinished +
           " AND released = 0))";
  if (!f.visible_to.empty()) {
    // Users are stored comma-joined; finding ",name," in ",a,b," finds a whole name. Found as a
    // plain substring, exact: LIKE took "_" and "%" in a name as wildcards ("bo_" saw bob's
    // reservations) and, on SQLite, ignored case.
    sql += std::string(" AND (requested_by = ?5 OR ") + (IsPostgres(db_) ? "strpos" : "instr") +
           "(',' || users || ',', ',' || CAST(?5 AS TEXT) || ',') > 0";
    for (size_t i = 0; i < f.visible_accounts.size(); ++i)
      sql += " OR account = ?" + std::to_string(6 + i);
    sql += ")";
  }
  sql += " ORDER BY id";
  return db_.Query<Reservation>(
      sql,
      [&](Statement& s) {
        s.Bind(1, f.machine).Bind(2, f.id.value_or(-1));
        s.Bind(3, f.state ? std::string(ReservationStateName(*f.state)) : std::string());
        s.Bind(4, f.account).Bind(5, f.visible_to);
        for (size_t i = 0; i < f.visible_accounts.size(); ++i)
          s.Bind(static_cast<int>(6 + i), f.visible_accounts[i]);
      },
      &Row);
}

Result<std::optional<Reservation>> SqlReservationStore::GetReservation(int64_t id) {
  ReservationFilter f;
  f.id = id;
  std::lock_guard lock(pool_);
  auto rows = Select(f);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<Reservation>();
  return std::optional<Reservation>(std::move(rows->front()));
}

Result<std::vector<Reservation>> SqlReservationStore::ListReservations(const ReservationFilter& f) {
  std::lock_guard lock(pool_);
  return Select(f);
}

Result<bool> SqlReservationStore::UpdateReservation(const Reservation& r, ReservationState expected,
                                                    const ReservationLimits& limits,
                                                    const ReservationEvent& event) {
  std::lock_guard lock(pool_);
  bool written = false;
  Status s = db_.InTransaction([&]() -> Status {
    if (Status c = CheckLimits(r, limits, false); !c.ok()) return c;
    std::string sql = "UPDATE reservations SET ";
    // Every column but id, in kColumns' order: name = ?1, machine = ?2, ...
    const std::vector<std::string> columns = SplitList(kColumns + 4);
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) sql += ", ";
      std::string column = columns[i];
      column.erase(0, column.find_first_not_of(' '));
      sql += column + " = ?" + std::to_string(i + 1);
    }
    sql += " WHERE id = ?35 AND state = ?36";
    auto stmt = db_.Prepare(sql);
    if (!stmt) return stmt.status();
    BindFields(*stmt, r);
    stmt->Bind(35, r.id).Bind(36, ReservationStateName(expected));
    if (Status run = stmt->Run(); !run.ok()) return run;
    written = db_.Changes() == 1;
    return written ? AppendEvent(r, r.id, event) : Status::Ok();
  });
  if (s.ok() && written) NoteEventAppended();
  if (!s.ok()) {
    if (s.code() == Code::kAlreadyExists)
      return Status::AlreadyExists("name: a reservation named '" + r.name + "' exists on " +
                                   r.machine);
    return s;
  }
  return written;
}

}  // namespace sfapid::sql
