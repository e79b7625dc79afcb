#include "store/sql/sql_shared_views.h"

namespace sfapid::sql {

namespace {

SharedView ViewRow(const Statement& s) { return {s.Int(0), s.Text(1)}; }
int64_t IntRow(const Statement& s) { return s.Int(0); }

}  // namespace

Result<std::optional<SharedView>> SqlSharedViews::ReadView(const std::string& key,
                                                           int64_t not_before_ms) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<SharedView>(
      "SELECT taken_ms, data FROM scheduler_views WHERE key = ?1 AND taken_ms > 0 AND taken_ms >= "
      "?2",
      [&](Statement& s) { s.Bind(1, key).Bind(2, not_before_ms); }, ViewRow);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<SharedView>();
  return std::optional<SharedView>(std::move(rows->front()));
}

Result<bool> SqlSharedViews::ClaimRefresh(const std::string& key, const std::string& node,
                                          int64_t now_ms, int64_t until_ms, int64_t min_interval_ms,
                                          int64_t not_before_ms) {
  std::lock_guard lock(pool_);
  if (Status s = db_.Run("INSERT INTO scheduler_views(key) VALUES(?1) ON CONFLICT DO NOTHING",
                         [&](Statement& st) { st.Bind(1, key); });
      !s.ok())
    return s;
  // One conditional update: of two nodes racing for it, the second finds it taken (PostgreSQL
  // re-reads the row it waited for) or the view it needs saved.
  if (Status s = db_.Run(
          "UPDATE scheduler_views SET refresher = ?2, claim_until_ms = ?4, attempted_ms = ?3 "
          "WHERE key = ?1 AND claim_until_ms <= ?3 AND attempted_ms <= ?3 - ?5 AND taken_ms < ?6",
          [&](Statement& st) {
            st.Bind(1, key).Bind(2, node).Bind(3, now_ms).Bind(4, until_ms);
            st.Bind(5, min_interval_ms).Bind(6, not_before_ms);
          });
      !s.ok())
    return s;
  return db_.Changes() == 1;
}

Status SqlSharedViews::SaveView(const std::string& key, const std::string& node,
                                const SharedView& view) {
  std::lock_guard lock(pool_);
  // The view first, then the claim: a node that claims in between would find the view it needs.
  if (Status s = db_.Run(
          "UPDATE scheduler_views SET taken_ms = ?2, data = ?3 WHERE key = ?1 AND taken_ms < ?2",
          [&](Statement& st) { st.Bind(1, key).Bind(2, view.taken_ms).Bind(3, view.data); });
      !s.ok())
    return s;
  // A claim that ran out and was taken by another node is that node's to release.
  return db_.Run("UPDATE scheduler_views SET claim_until_ms = 0 WHERE key = ?1 AND refresher = ?2",
                 [&](Statement& st) { st.Bind(1, key).Bind(2, node); });
}

Status SqlSharedViews::ReleaseRefresh(const std::string& key, const std::string& node) {
  std::lock_guard lock(pool_);
  return db_.Run("UPDATE scheduler_views SET claim_until_ms = 0 WHERE key = ?1 AND refresher = ?2",
                 [&](Statement& st) { st.Bind(1, key).Bind(2, node); });
}

Status SqlSharedViews::NoteChange(const std::string& key, const std::string& user, int64_t at_ms) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO scheduler_view_changes(key, user, at_ms) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(key, user) DO UPDATE SET at_ms = excluded.at_ms "
      "WHERE excluded.at_ms > scheduler_view_changes.at_ms",
      [&](Statement& st) { st.Bind(1, key).Bind(2, user).Bind(3, at_ms); });
}

Result<int64_t> SqlSharedViews::LastChange(const std::string& key, const std::string& user) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<int64_t>(
      "SELECT at_ms FROM scheduler_view_changes WHERE key = ?1 AND user = ?2",
      [&](Statement& s) { s.Bind(1, key).Bind(2, user); }, IntRow);
  if (!rows) return rows.status();
  return rows->empty() ? int64_t{0} : rows->front();
}

}  // namespace sfapid::sql
