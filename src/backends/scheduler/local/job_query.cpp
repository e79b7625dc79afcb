#include "backends/scheduler/local/job_query.h"

#include <algorithm>
#include <optional>
#include <set>

#include "backends/scheduler/local/job_ids.h"
#include "backends/scheduler/row_filter.h"

namespace sfapid::local {

namespace {

// Whether the view shows the job at all, before any filter.
bool InView(const LocalJob& job, const JobQuery& q, int64_t now, double min_job_age_seconds) {
  // Ended jobs leave the queue MinJobAge after their end.
  if (!q.sacct && job.Ended() && job.end_time < now - static_cast<int64_t>(min_job_age_seconds))
    return false;
  // Slurm's accounting learns of a job held at submission only once it is released or ends.
  if (q.sacct && job.held && job.state == JobState::kPending) return false;
  return true;
}

}  // namespace

std::vector<SerializedRow> QueryJobs(const JobMap& jobs, const JobQuery& q, const ClusterView& view,
                                     double min_job_age_seconds, RowCache* cache, RowStamp stamp) {
  const RowFilter filter(q.filters, q.sacct);
  std::vector<SerializedRow> rows;
  size_t skipped = 0;
  // False once the page is full.
  const auto consider = [&](const LocalJob* j) {
    if (q.limit && rows.size() >= *q.limit) return false;
    if (!InView(*j, q, view.now, min_job_age_seconds)) return true;
    // The fields filters usually name come from the job itself; the whole row is rendered only
    // when a filter names another field, and then once.
    std::optional<JobRow> rendered;
    const auto row = [&]() -> const JobRow& {
      if (!rendered) rendered = q.sacct ? SacctRow(*j, view) : SqueueRow(*j, view);
      return *rendered;
    };
    const auto field = [&](std::string_view name) -> std::string {
      if (name == "jobid") return j->DisplayId();
      if (name == "jobidraw") return std::to_string(j->id);
      if (name == "array_job_id") return std::to_string(j->array_job_id ? j->array_job_id : j->id);
      if (name == "user") return j->account_unix;
      if (name == "uid") return std::to_string(j->uid);
      if (name == "partition") return j->partition;
      if (name == "state") return q.sacct ? SacctState(*j) : std::string(JobStateName(j->state));
      if (name == "account") return j->account;
      if (name == (q.sacct ? "jobname" : "name")) return j->name;
      return RowField(row(), name);
    };
    if (!filter.Matches(field)) return true;
    if (skipped < q.index) {
      ++skipped;
      return true;
    }
    SerializedRow text = cache ? cache->Find(j->id, q.sacct, stamp) : nullptr;
    if (!text) {
      text = Serialize(row());
      if (cache) cache->Keep(j->id, q.sacct, stamp, text);
    }
    rows.push_back(std::move(text));
    return true;
  };
  if (filter.has_job_ids()) {
    // Named jobs are looked up, not searched for among all.
    std::vector<const LocalJob*> named;
    std::set<int64_t> seen;
    for (const auto& id : filter.job_ids())
      for (const LocalJob* j : ResolveJobId(jobs, id))
        if (seen.insert(j->id).second) named.push_back(j);
    std::sort(named.begin(), named.end(),
              [](const LocalJob* a, const LocalJob* b) { return a->id < b->id; });
    for (const LocalJob* j : named)
      if (!consider(j)) break;
  } else {
    // In id order straight from the map, stopping when the page is full: a first page of 100
    // does not walk 10,000 jobs.
    for (const auto& [id, job] : jobs)
      if (!consider(&job)) break;
  }
  return rows;
}

}  // namespace sfapid::local
