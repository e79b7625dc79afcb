#include "store/sql/sql_watched_jobs.h"

namespace sfapid::sql {

namespace {

WatchedJob WatchedRow(const Statement& s) {
  return WatchedJob{s.Text(0), s.Text(1), s.Int(2), s.Text(3), s.Text(4)};
}

}  // namespace

Status SqlWatchedJobs::Watch(const std::string& cluster, const WatchedJob& job) {
  std::lock_guard lock(pool_);
  return db_.Run(
      "INSERT INTO slurm_watched_jobs(cluster, jobid, user, submitted, reservation, states) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(cluster, jobid) DO UPDATE SET user = "
      "excluded.user, submitted = excluded.submitted, reservation = excluded.reservation, "
      "states = excluded.states",
      [&](Statement& st) {
        st.Bind(1, cluster).Bind(2, job.jobid).Bind(3, job.user).Bind(4, job.submitted);
        st.Bind(5, job.reservation).Bind(6, job.states);
      });
}

Result<std::vector<WatchedJob>> SqlWatchedJobs::Watched(const std::string& cluster) {
  std::lock_guard lock(pool_);
  return db_.Query<WatchedJob>(
      "SELECT jobid, user, submitted, reservation, states FROM slurm_watched_jobs WHERE cluster = "
      "?1 "
      "ORDER BY jobid",
      [&](Statement& st) { st.Bind(1, cluster); }, WatchedRow);
}

Status SqlWatchedJobs::Forget(const std::string& cluster, const std::vector<std::string>& jobids) {
  if (jobids.empty()) return Status::Ok();
  std::lock_guard lock(pool_);
  return db_.InTransaction([&]() -> Status {
    for (const std::string& id : jobids)
      if (Status s = db_.Run("DELETE FROM slurm_watched_jobs WHERE cluster = ?1 AND jobid = ?2",
                             [&](Statement& st) { st.Bind(1, cluster).Bind(2, id); });
          !s.ok())
        return s;
    return Status::Ok();
  });
}

}  // namespace sfapid::sql
