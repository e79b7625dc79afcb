#include "store/sql/sql_scheduler_owners.h"

#include "store/sql/time_columns.h"

namespace sfapid::sql {

namespace {

std::string NodeRow(const Statement& s) { return s.Text(0); }

}  // namespace

Result<std::string> SqlSchedulerOwners::ClaimOwner(const std::string& system,
                                                   const std::string& node) {
  std::lock_guard lock(pool_);
  // Of two nodes starting at once, the second insert does nothing and both read the first's.
  if (Status s =
          db_.Run("INSERT INTO scheduler_owners(system, node, claimed_at) VALUES(?1, ?2, ?3) "
                  "ON CONFLICT DO NOTHING",
                  [&](Statement& st) { st.Bind(1, system).Bind(2, node).Bind(3, ToUnix(Now())); });
      !s.ok())
    return s;
  auto owner = db_.Query<std::string>(
      "SELECT node FROM scheduler_owners WHERE system = ?1",
      [&](Statement& st) { st.Bind(1, system); }, NodeRow);
  if (!owner) return owner.status();
  if (owner->empty()) return Status::Internal("the owner of " + system + " was not recorded");
  return owner->front();
}

Status SqlSchedulerOwners::SetOwner(const std::string& system, const std::string& node) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO scheduler_owners(system, node, claimed_at) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(system) DO UPDATE SET node = excluded.node, claimed_at = excluded.claimed_at",
      [&](Statement& st) { st.Bind(1, system).Bind(2, node).Bind(3, ToUnix(Now())); });
}

}  // namespace sfapid::sql
