#include "backends/scheduler/slurm/accounting_view.h"

#include <map>
#include <unordered_set>

#include "backends/scheduler/job_fields.h"
#include "backends/scheduler/slurm/queue_to_sacct.h"
#include "backends/scheduler/slurm/sacct_text.h"
#include "domain/job_state.h"
#include "util/split.h"

namespace sfapid::slurm {

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

AccountingView::AccountingView(const SystemConfig& system, SlurmCommands& commands,
                               Snapshot<Rows>& queue)
    : system_(system),
      commands_(commands),
      queue_(queue),
      window_([this] { return FetchWindow(); }, Millis(system.scheduler.refresh_interval_seconds),
              Millis(system.scheduler.min_refresh_interval_seconds)) {}

// Every user's jobs (-a), allocations only (-X), a pending array one task per row (as the queue
// lists it), every field, unit-separated, for `selection`.
Result<Rows> AccountingView::Sacct(const std::vector<std::string>& selection) {
  std::vector<std::string> args{"-a", "-X", "-P", std::string("--delimiter=") + kSacctDelimiter,
                                "--format=ALL"};
  args.insert(args.end(), selection.begin(), selection.end());
  auto r = commands_.AsServer("sacct", args);
  if (r.exit_code != 0) return Status::Unavailable(ReadFailure(r, "sacct"));
  auto rows = ParseSacctText(r.out);
  if (!rows) return rows.status();
  ListPendingArrayTasks(*rows);
  SortByJobId(*rows);
  return WithJson(std::move(rows).value());
}

Result<Rows> AccountingView::FetchWindow() {
  const int64_t window_hours =
      std::max<int64_t>(1, static_cast<int64_t>(system_.scheduler.sacct_window_days * 24));
  // The end is a year ahead: a job waiting for a begin time is eligible only from then, and a
  // window ending now would leave it out.
  return Sacct(
      {"--starttime=now-" + std::to_string(window_hours) + "hours", "--endtime=now+365days"});
}

Result<std::shared_ptr<const Rows>> AccountingView::Read(const JobQuery& q,
                                                         Clock::time_point not_before) {
  auto window = window_.GetStartedAfter(not_before);
  if (!window) return window.status();
  std::shared_ptr<const Rows> rows = WithQueuedJobs(*window, not_before);
  auto extra = MissingFromWindow(*rows, q);
  if (!extra) return extra.status();
  if (!extra->empty()) {
    auto merged = std::make_shared<Rows>(*rows);
    merged->insert(merged->end(), extra->begin(), extra->end());
    SortByJobId(*merged);
    rows = merged;
  }
  return CompleteFromQueue(std::move(rows));
}

// Jobs asked for by id that the accounting window does not hold (older, or cancelled before they
// were ever eligible, which a time window leaves out) are looked up by id: one more sacct.
Result<Rows> AccountingView::MissingFromWindow(const Rows& window, const JobQuery& q) {
  std::vector<std::string> missing;
  for (const auto& f : q.filters) {
    if (f.name != "jobid") continue;
    for (const std::string& id : SplitList(f.value)) {
      const bool digits =
          !id.empty() && id.size() < 20 && id.find_first_not_of("0123456789_") == std::string::npos;
      if (digits && missing.size() < 100 && RowsOfJob(window, id).empty()) missing.push_back(id);
    }
  }
  if (missing.empty()) return Rows{};
  std::string ids;
  for (const auto& id : missing) ids += (ids.empty() ? "" : ",") + id;
  return ById(ids);
}

// For about a second after a job ends, slurmdbd holds only a stub of it (JobName "allocation", no
// partition, QOS "Unknown"); the queue still shows the job then (MinJobAge), so its fields fill in.
std::shared_ptr<const Rows> AccountingView::CompleteFromQueue(std::shared_ptr<const Rows> rows) {
  bool stubs = false;
  for (const Row& row : *rows) stubs |= RowField(row.fields, "partition").empty();
  if (!stubs) return rows;
  auto queue = queue_.Get();
  if (!queue) return rows;
  std::map<std::string, const JobRow*> by_id;
  for (const Row& q : **queue) by_id[RowField(q.fields, "jobid")] = &q.fields;
  auto completed = std::make_shared<Rows>(*rows);
  for (Row& slot : *completed) {
    JobRow& row = slot.fields;
    if (!RowField(row, "partition").empty()) continue;
    auto it = by_id.find(RowField(row, "jobid"));
    if (it == by_id.end()) continue;
    const JobRow& q = *it->second;
    row["jobname"] = RowField(q, "name");
    row["partition"] = RowField(q, "partition");
    row["qos"] = RowField(q, "qos");
    if (RowField(row, "account").empty()) row["account"] = RowField(q, "account");
    if (RowField(row, "workdir").empty()) row["workdir"] = RowField(q, "work_dir");
    slot.json = Serialize(row);
  }
  return completed;
}

// Jobs the queue shows that accounting does not have yet are added in sacct's shape. Jobs held
// since submission stay out, as Slurm records them only once released.
std::shared_ptr<const Rows> AccountingView::WithQueuedJobs(std::shared_ptr<const Rows> accounting,
                                                           Clock::time_point not_before) {
  auto queue = queue_.GetStartedAfter(not_before);
  if (!queue) return accounting;
  std::lock_guard lock(merged_mu_);
  if (merged_.accounting == accounting && merged_.queue == *queue) return merged_.rows;
  std::unordered_set<std::string> accounted;
  for (const Row& row : *accounting) accounted.insert(RowField(row.fields, "jobid"));
  const std::string cluster =
      accounting->empty() ? system_.name : RowField(accounting->front().fields, "cluster");
  Rows added;
  for (const Row& q : **queue) {
    if ((ParseJobState(RowField(q.fields, "state")) == JobState::kPending &&
         RowField(q.fields, "reason") == "JobHeldUser") ||
        accounted.count(RowField(q.fields, "jobid")))
      continue;
    JobRow row = SacctRowFromQueue(q.fields, cluster, q.queue_only);
    SerializedRow json = Serialize(row);
    added.push_back(Row{std::move(row), std::move(json), {}});
  }
  std::shared_ptr<const Rows> rows = accounting;
  if (!added.empty()) {
    auto all = std::make_shared<Rows>(*accounting);
    all->insert(all->end(), std::make_move_iterator(added.begin()),
                std::make_move_iterator(added.end()));
    SortByJobId(*all);
    rows = std::move(all);
  }
  merged_ = Merged{accounting, *queue, rows};
  return rows;
}

}  // namespace sfapid::slurm
