#include "store/sql/sql_job_spec_store.h"

namespace sfapid::sql {

Status SqlJobSpecStore::SaveJobSpec(const std::string& system, const std::string& jobid,
                                    const std::string& owner, const std::string& spec_json,
                                    int64_t created_ms) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO iri_job_specs(system, jobid, owner, spec, created_ms) "
      "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(system, jobid) DO UPDATE SET "
      "owner = excluded.owner, spec = excluded.spec, created_ms = excluded.created_ms",
      [&](Statement& st) {
        st.Bind(1, system).Bind(2, jobid).Bind(3, owner).Bind(4, spec_json).Bind(5, created_ms);
      });
}

Result<std::optional<std::string>> SqlJobSpecStore::JobSpecOf(const std::string& system,
                                                              const std::string& jobid,
                                                              const std::string& owner) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<std::string>(
      "SELECT spec FROM iri_job_specs WHERE system = ?1 AND jobid = ?2 AND owner = ?3",
      [&](Statement& st) { st.Bind(1, system).Bind(2, jobid).Bind(3, owner); },
      [](const Statement& s) { return s.Text(0); });
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->front());
}

Result<int> SqlJobSpecStore::PurgeJobSpecs(int64_t before_ms) {
  std::lock_guard lock(pool_);
  if (Status s = db_.Run("DELETE FROM iri_job_specs WHERE created_ms < ?1",
                         [&](Statement& st) { st.Bind(1, before_ms); });
      !s.ok())
    return s;
  return db_.Changes();
}

}  // namespace sfapid::sql
