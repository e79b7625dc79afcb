#include "store/sql/sql_account_store.h"

#include <cstdio>

#include "store/sql/time_columns.h"

namespace sfapid::sql {

namespace {

constexpr const char* kUserColumns =
    "name, uid, firstname, lastname, middlename, email, workphone, other_phones";

UserRecord UserRow(const Statement& s) {
  UserRecord u;
  u.name = s.Text(0);
  if (s.OptionalText(1)) u.uid = s.Int(1);
  u.firstname = s.Text(2);
  u.lastname = s.Text(3);
  u.middlename = s.Text(4);
  u.email = s.Text(5);
  u.workphone = s.Text(6);
  u.other_phones = s.Text(7);
  return u;
}

constexpr const char* kProjectColumns =
    "id, repo_name, description, cpu_hours_given, gpu_hours_given, project_dir, "
    "project_dir_bytes, project_dir_files, archive_dir, archive_bytes, archive_files";

// Hours are REAL columns; Statement reads integers and text, so they travel as text.
double RealColumn(const Statement& s, int column) {
  const std::string text = s.Text(column);
  return text.empty() ? 0.0 : std::stod(text);
}

ProjectRecord ProjectRow(const Statement& s) {
  ProjectRecord p;
  p.id = s.Int(0);
  p.repo_name = s.Text(1);
  p.description = s.Text(2);
  p.cpu_hours_given = RealColumn(s, 3);
  p.gpu_hours_given = RealColumn(s, 4);
  p.project_dir = s.Text(5);
  p.project_dir_bytes = s.Int(6);
  p.project_dir_files = s.Int(7);
  p.archive_dir = s.Text(8);
  p.archive_bytes = s.Int(9);
  p.archive_files = s.Int(10);
  return p;
}

// REAL columns bound as text: the column's affinity stores them as numbers.
std::string HoursText(double hours) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", hours);
  return buf;
}

Membership MembershipRow(const Statement& s) { return {s.Int(0), s.Text(1), s.Text(2), s.Text(3)}; }

ChargeRow ChargeRowOf(const Statement& s) { return {s.Text(0), s.Int(1)}; }

constexpr const char* kGroupColumns =
    "g.name, g.gid, g.project_id, p.repo_name, g.is_unix, g.created_by, g.created_at";

GroupRecord GroupRow(const Statement& s) {
  GroupRecord g;
  g.name = s.Text(0);
  g.gid = s.Int(1);
  g.project_id = s.Int(2);
  g.repo_name = s.Text(3);
  g.is_unix = s.Int(4) != 0;
  g.created_by = s.Text(5);
  g.created_at = FromUnix(s.Int(6));
  return g;
}

std::pair<std::string, std::string> MemberRow(const Statement& s) { return {s.Text(0), s.Text(1)}; }

Status Taken(const Status& s, const std::string& what) {
  if (!s.ok() && s.code() == Code::kAlreadyExists)
    return Status::AlreadyExists(what + " exists already");
  return s;
}

}  // namespace

// --- users ---

Status SqlAccountStore::AddUser(const UserRecord& u) {
  std::lock_guard lock(pool_);
  Status s = db_.Run(std::string("INSERT INTO account_users(") + kUserColumns +
                         ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                     [&](Statement& st) {
                       st.Bind(1, u.name);
                       if (u.uid)
                         st.Bind(2, *u.uid);
                       else
                         st.BindNull(2);
                       st.Bind(3, u.firstname).Bind(4, u.lastname).Bind(5, u.middlename);
                       st.Bind(6, u.email).Bind(7, u.workphone).Bind(8, u.other_phones);
                     });
  return Taken(s, "user '" + u.name + "'");
}

Result<std::optional<UserRecord>> SqlAccountStore::GetUser(const std::string& name) {
  auto rows = Rows<UserRecord>(
      std::string("SELECT ") + kUserColumns + " FROM account_users WHERE name = ?1",
      [&](Statement& s) { s.Bind(1, name); }, &UserRow);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<UserRecord>();
  return std::optional<UserRecord>(std::move(rows->front()));
}

Result<std::vector<UserRecord>> SqlAccountStore::ListUsers() {
  return Rows<UserRecord>(
      std::string("SELECT ") + kUserColumns + " FROM account_users ORDER BY name",
      [](Statement&) {}, &UserRow);
}

Status SqlAccountStore::RemoveUser(const std::string& name) {
  std::lock_guard lock(pool_);
  return db_.InTransaction([&]() -> Status {
    int removed = 0;
    for (const char* sql : {"DELETE FROM account_users WHERE name = ?1",
                            "DELETE FROM project_members WHERE user = ?1",
                            "DELETE FROM group_members WHERE user = ?1"}) {
      if (Status s = db_.Run(sql, [&](Statement& st) { st.Bind(1, name); }); !s.ok()) return s;
      removed += db_.Changes();
    }
    return removed > 0 ? Status::Ok() : Status::NotFound("no user '" + name + "'");
  });
}

// --- projects ---

Result<int64_t> SqlAccountStore::AddProject(const ProjectRecord& p) {
  std::lock_guard lock(pool_);
  auto stmt = db_.Prepare(
      "INSERT INTO projects(repo_name, description, cpu_hours_given, gpu_hours_given, "
      "project_dir, project_dir_bytes, project_dir_files, archive_dir, archive_bytes, "
      "archive_files) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id");
  if (!stmt) return stmt.status();
  stmt->Bind(1, p.repo_name).Bind(2, p.description);
  stmt->Bind(5, p.project_dir).Bind(6, p.project_dir_bytes).Bind(7, p.project_dir_files);
  stmt->Bind(8, p.archive_dir).Bind(9, p.archive_bytes).Bind(10, p.archive_files);
  stmt->Bind(3, HoursText(p.cpu_hours_given)).Bind(4, HoursText(p.gpu_hours_given));
  auto id = stmt->RunReturningId();
  if (!id) return Taken(id.status(), "project '" + p.repo_name + "'");
  return id;
}

Result<std::optional<ProjectRecord>> SqlAccountStore::GetProject(const std::string& repo_name) {
  auto rows = Rows<ProjectRecord>(
      std::string("SELECT ") + kProjectColumns + " FROM projects WHERE repo_name = ?1",
      [&](Statement& s) { s.Bind(1, repo_name); }, &ProjectRow);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<ProjectRecord>();
  return std::optional<ProjectRecord>(std::move(rows->front()));
}

Result<std::vector<ProjectRecord>> SqlAccountStore::ListProjects() {
  return Rows<ProjectRecord>(
      std::string("SELECT ") + kProjectColumns + " FROM projects ORDER BY repo_name",
      [](Statement&) {}, &ProjectRow);
}

Result<bool> SqlAccountStore::HasProjects() {
  auto rows = Rows<int64_t>(
      "SELECT COUNT(*) FROM projects", [](Statement&) {},
      +[](const Statement& s) { return s.Int(0); });
  if (!rows) return rows.status();
  return !rows->empty() && rows->front() > 0;
}

Status SqlAccountStore::UpdateProject(const ProjectRecord& p) {
  std::lock_guard lock(pool_);
  Status s = db_.Run(
      "UPDATE projects SET description = ?2, cpu_hours_given = ?3, gpu_hours_given = ?4, "
      "project_dir = ?5, project_dir_bytes = ?6, project_dir_files = ?7, archive_dir = ?8, "
      "archive_bytes = ?9, archive_files = ?10 WHERE repo_name = ?1",
      [&](Statement& st) {
        st.Bind(1, p.repo_name).Bind(2, p.description);
        st.Bind(3, HoursText(p.cpu_hours_given)).Bind(4, HoursText(p.gpu_hours_given));
        st.Bind(5, p.project_dir).Bind(6, p.project_dir_bytes).Bind(7, p.project_dir_files);
        st.Bind(8, p.archive_dir).Bind(9, p.archive_bytes).Bind(10, p.archive_files);
      });
  if (!s.ok()) return s;
  return db_.Changes() > 0 ? Status::Ok() : Status::NotFound("no project '" + p.repo_name + "'");
}

Status SqlAccountStore::RemoveProject(const std::string& repo_name) {
  std::lock_guard lock(pool_);
  // Memberships, groups and group members go with it (ON DELETE CASCADE).
  Status s = db_.Run("DELETE FROM projects WHERE repo_name = ?1",
                     [&](Statement& st) { st.Bind(1, repo_name); });
  if (!s.ok()) return s;
  return db_.Changes() > 0 ? Status::Ok() : Status::NotFound("no project '" + repo_name + "'");
}

Status SqlAccountStore::SetMember(int64_t project_id, const std::string& user,
                                  const std::string& role) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO project_members(project_id, user, role) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(project_id, user) DO UPDATE SET role = excluded.role",
      [&](Statement& st) { st.Bind(1, project_id).Bind(2, user).Bind(3, role); });
}

Status SqlAccountStore::RemoveMember(int64_t project_id, const std::string& user) {
  std::lock_guard lock(pool_);
  Status s = db_.Run("DELETE FROM project_members WHERE project_id = ?1 AND user = ?2",
                     [&](Statement& st) { st.Bind(1, project_id).Bind(2, user); });
  if (!s.ok()) return s;
  return db_.Changes() > 0 ? Status::Ok()
                           : Status::NotFound("'" + user + "' is not a member of the project");
}

Result<std::vector<Membership>> SqlAccountStore::MembersOf(int64_t project_id) {
  return Rows<Membership>(
      "SELECT m.project_id, p.repo_name, m.user, m.role FROM project_members m "
      "JOIN projects p ON p.id = m.project_id WHERE m.project_id = ?1 ORDER BY m.user",
      [&](Statement& s) { s.Bind(1, project_id); }, &MembershipRow);
}

Result<std::vector<Membership>> SqlAccountStore::ProjectsOf(const std::string& user) {
  return Rows<Membership>(
      "SELECT m.project_id, p.repo_name, m.user, m.role FROM project_members m "
      "JOIN projects p ON p.id = m.project_id WHERE m.user = ?1 ORDER BY p.repo_name",
      [&](Statement& s) { s.Bind(1, user); }, &MembershipRow);
}

// What is charged to account ?1, a row per charge (user, node_seconds): finished jobs, and
// reservations once charged. ChargeFactsFor sums the same charges from finished_job_totals.
constexpr const char* kChargesToAccount =
    "(SELECT user, node_seconds FROM finished_jobs WHERE account = ?1 UNION ALL SELECT "
    "requested_by, charged_node_seconds FROM reservations WHERE account = ?1 AND charged = 1) "
    "AS charges";

Result<std::vector<ChargeRow>> SqlAccountStore::ChargesTo(const std::string& account) {
  // finished_jobs is written by the callbacks module (ComputeStore::RecordUsage): every job that
  // ended, charged once, whatever scheduler ran it. A reservation's block is charged to the user
  // who requested it, once charged (ReservationStore).
  return Rows<ChargeRow>(
      std::string("SELECT user, SUM(node_seconds) FROM ") + kChargesToAccount +
          " GROUP BY user ORDER BY user",
      [&](Statement& s) { s.Bind(1, account); }, &ChargeRowOf);
}

Result<ChargeFacts> SqlAccountStore::ChargeFactsFor(const std::string& user,
                                                    const std::string& account) {
  // One row whether or not the project exists (the LEFT JOIN on a one-row table); the charges
  // are those ChargesTo lists, summed over users: the finished jobs' running total (one row, not
  // a sum over every job the project ran: this is read at every submission) and the charged
  // reservations (few, each a block of hours).
  auto rows = Rows<ChargeFacts>(
      "SELECT (SELECT COUNT(*) FROM projects), p.id, p.cpu_hours_given + p.gpu_hours_given, "
      "(SELECT COUNT(*) FROM project_members m WHERE m.project_id = p.id AND m.user = ?2), "
      "COALESCE((SELECT node_seconds FROM finished_job_totals WHERE account = ?1), 0) + "
      "(SELECT COALESCE(SUM(charged_node_seconds), 0) FROM reservations WHERE account = ?1 AND "
      "charged = 1) FROM (SELECT 1 AS one) AS one_row LEFT JOIN projects p ON p.repo_name = ?1",
      [&](Statement& s) { s.Bind(1, account).Bind(2, user); },
      +[](const Statement& s) {
        ChargeFacts f;
        f.any_project = s.Int(0) > 0;
        f.project_exists = s.OptionalText(1).has_value();
        f.hours_given = s.Real(2);
        f.member = s.Int(3) > 0;
        f.node_seconds_charged = s.Int(4);
        return f;
      });
  if (!rows) return rows.status();
  if (rows->size() != 1) return Status::Internal("database: the charge check read no row");
  return rows->front();
}

// --- groups ---

Status SqlAccountStore::AddGroup(const GroupRecord& g) {
  std::lock_guard lock(pool_);
  return db_.InTransaction([&]() -> Status {
    Status s = db_.Run(
        "INSERT INTO project_groups(name, gid, project_id, is_unix, created_by, created_at) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        [&](Statement& st) {
          st.Bind(1, g.name).Bind(2, g.gid).Bind(3, g.project_id);
          st.Bind(4, static_cast<int64_t>(g.is_unix)).Bind(5, g.created_by);
          st.Bind(6, ToUnix(g.created_at));
        });
    if (!s.ok()) return Taken(s, "group '" + g.name + "' or gid " + std::to_string(g.gid));
    for (const auto& m : g.members)
      if (Status s = db_.Run("INSERT INTO group_members(group_name, user) VALUES(?1, ?2)",
                             [&](Statement& st) { st.Bind(1, g.name).Bind(2, m); });
          !s.ok())
        return s;
    return Status::Ok();
  });
}

Status SqlAccountStore::LoadMembers(std::vector<GroupRecord>& groups) {
  auto rows = db_.Query<std::pair<std::string, std::string>>(
      "SELECT group_name, user FROM group_members ORDER BY group_name, user", [](Statement&) {},
      &MemberRow);
  if (!rows) return rows.status();
  for (auto& g : groups)
    for (const auto& [group, user] : *rows)
      if (group == g.name) g.members.push_back(user);
  return Status::Ok();
}

Result<std::optional<GroupRecord>> SqlAccountStore::GetGroup(const std::string& name) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<GroupRecord>(
      std::string("SELECT ") + kGroupColumns +
          " FROM project_groups g JOIN projects p ON p.id = g.project_id WHERE g.name = ?1",
      [&](Statement& s) { s.Bind(1, name); }, &GroupRow);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<GroupRecord>();
  auto members = db_.Query<std::pair<std::string, std::string>>(
      "SELECT group_name, user FROM group_members WHERE group_name = ?1 ORDER BY user",
      [&](Statement& s) { s.Bind(1, name); }, &MemberRow);
  if (!members) return members.status();
  for (auto& [group, user] : *members) rows->front().members.push_back(user);
  return std::optional<GroupRecord>(std::move(rows->front()));
}

Result<std::vector<GroupRecord>> SqlAccountStore::ListGroups() {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<GroupRecord>(
      std::string("SELECT ") + kGroupColumns +
          " FROM project_groups g JOIN projects p ON p.id = g.project_id ORDER BY g.name",
      [](Statement&) {}, &GroupRow);
  if (!rows) return rows.status();
  if (Status s = LoadMembers(*rows); !s.ok()) return s;
  return rows;
}

Status SqlAccountStore::SetGroupMembers(const std::string& name,
                                        const std::vector<std::string>& members) {
  std::lock_guard lock(pool_);
  return db_.InTransaction([&]() -> Status {
    if (Status s = db_.Run("DELETE FROM group_members WHERE group_name = ?1",
                           [&](Statement& st) { st.Bind(1, name); });
        !s.ok())
      return s;
    for (const auto& m : members)
      if (Status s = db_.Run(
              "INSERT INTO group_members(group_name, user) VALUES(?1, ?2) ON CONFLICT DO NOTHING",
              [&](Statement& st) { st.Bind(1, name).Bind(2, m); });
          !s.ok())
        return s;
    return Status::Ok();
  });
}

Status SqlAccountStore::RemoveGroup(const std::string& name) {
  std::lock_guard lock(pool_);
  Status s = db_.Run("DELETE FROM project_groups WHERE name = ?1",
                     [&](Statement& st) { st.Bind(1, name); });
  if (!s.ok()) return s;
  return db_.Changes() > 0 ? Status::Ok() : Status::NotFound("no group '" + name + "'");
}

}  // namespace sfapid::sql
