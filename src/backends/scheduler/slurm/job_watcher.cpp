#include "backends/scheduler/slurm/job_watcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <set>

#include "backends/scheduler/job_fields.h"
#include "backends/scheduler/slurm_time.h"

namespace sfapid::slurm {

namespace json = boost::json;

namespace {

// WatchedJob::states: "jobid=STATE" joined by ';'.
std::string JoinStates(const std::map<std::string, std::string>& states) {
  std::string out;
  for (const auto& [id, state] : states) {
    if (!out.empty()) out += ';';
    out += id + '=' + state;
  }
  return out;
}

std::map<std::string, std::string> SplitStates(const std::string& text) {
  std::map<std::string, std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find(';', at);
    if (end == std::string::npos) end = text.size();
    const std::string pair = text.substr(at, end - at);
    if (const std::size_t eq = pair.find('='); eq != std::string::npos)
      out[pair.substr(0, eq)] = pair.substr(eq + 1);
    at = end + 1;
  }
  return out;
}

}  // namespace

JobWatcher::JobWatcher(std::string cluster, WatchedJobs& list)
    : cluster_(std::move(cluster)), list_(list) {}

Status JobWatcher::Counted(Status s) {
  if (!s.ok()) ++save_failures_;
  return s;
}

Status JobWatcher::ImportFile(const std::string& state_dir) {
  const std::string file = state_dir + "/slurm-watched.json";
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Unavailable("cannot read " + file + ": " + std::strerror(errno));
  }
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  const int err = errno;
  ::close(fd);
  if (n < 0) return Status::Unavailable("cannot read " + file + ": " + std::strerror(err));
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Unavailable(file + " is not a JSON object");
  size_t skipped = 0;
  for (const auto& [id, w] : v.as_object()) {
    const json::object* o = w.if_object();
    const json::value* user = o ? o->if_contains("user") : nullptr;
    const json::value* submitted = o ? o->if_contains("submitted") : nullptr;
    if (!user || !user->is_string() || !submitted || !submitted->is_int64()) {
      ++skipped;
      continue;
    }
    const json::value* reservation = o->if_contains("reservation");
    if (Status s =
            Watch(std::string(id), std::string(user->as_string()), submitted->as_int64(),
                  reservation && reservation->is_string() ? std::string(reservation->as_string())
                                                          : std::string());
        !s.ok())
      return s;
  }
  if (skipped > 0)
    return Status::Unavailable(file + ": " + std::to_string(skipped) +
                               " damaged record(s) skipped (the file is left where it is)");
  if (::rename(file.c_str(), (file + ".imported").c_str()) != 0)
    return Status::Unavailable("cannot rename " + file + ": " + std::strerror(errno));
  return Status::Ok();
}

Status JobWatcher::Watch(const std::string& jobid, const std::string& user, int64_t submitted,
                         const std::string& reservation, const std::string& states) {
  if (Status s =
          Counted(list_.Watch(cluster_, WatchedJob{jobid, user, submitted, reservation, states}));
      !s.ok())
    return s;
  ++size_;
  return Status::Ok();
}

Result<JobWatcher::Look> JobWatcher::Check(const Sources& slurm, int64_t now) {
  Look look;
  auto watched = list_.Watched(cluster_);
  if (!watched) return watched.status();
  size_ = watched->size();
  if (watched->empty()) return look;
  std::map<std::string, const WatchedJob*> candidates;
  auto queue = slurm.queue();
  if (!queue) return look;
  // The queue's rows that have not ended, by job (an array's tasks and ranges under its id).
  std::map<std::string, std::map<std::string, std::string>> active;
  std::set<std::string> ended;
  for (const Row& row : **queue) {
    const std::string id = RowField(row.fields, "jobid");
    const std::string state = RowField(row.fields, "state");
    const std::string job = id.substr(0, id.find('_'));
    if (IsTerminalState(state))
      ended.insert(job);
    else
      active[job][id] = state;
  }
  for (const WatchedJob& w : *watched) {
    auto rows = active.find(w.jobid);
    if (rows == active.end()) {
      candidates.emplace(w.jobid, &w);
      continue;
    }
    if (std::string now_states = JoinStates(rows->second); now_states != w.states) {
      const std::map<std::string, std::string> before = SplitStates(w.states);
      for (const auto& [id, state] : rows->second)
        if (auto b = before.find(id); b == before.end() || b->second != state)
          look.changed.push_back(JobStateChange{cluster_, id, w.user, state});
      look.restated.push_back(w);
      look.restated.back().states = std::move(now_states);
    }
  }
  if (candidates.empty()) return look;
  auto accounting = slurm.accounting();
  if (!accounting) return look;
  // A job the window leaves out (cancelled while held: never eligible) is looked up by id: once
  // the queue shows it ended, or a minute after submission (not merely newer than the queue
  // snapshot, which would cost a sacct per job just submitted).
  std::string missing;
  for (const auto& [id, w] : candidates)
    if ((ended.count(id) || now - w->submitted > 60) && RowsOfJob(**accounting, id).empty() &&
        missing.size() < 2000)
      missing += (missing.empty() ? "" : ",") + id;
  Rows by_id;
  if (!missing.empty())
    if (auto found = slurm.by_id(missing)) by_id = std::move(*found);
  std::vector<std::string>& done = look.done;
  for (const auto& [id, w] : candidates) {
    std::vector<const JobRow*> rows = RowsOfJob(**accounting, id);
    if (rows.empty()) rows = RowsOfJob(by_id, id);
    bool all_ended = !rows.empty();
    for (const JobRow* row : rows) all_ended &= IsTerminalState(RowState(*row));
    // Not in accounting a day after submission: it will not come; stop watching.
    if (!all_ended) {
      if (now - w->submitted > 86400) done.push_back(id);
      continue;
    }
    std::vector<FinishedJob> tasks;
    for (const JobRow* row : rows) {
      tasks.push_back(FinishedJob{
          cluster_, RowField(*row, "jobid"), w->user, RowField(*row, "account"), RowState(*row),
          RowField(*row, "exitcode"), ParseTimestamp(RowField(*row, "submit")),
          ParseTimestamp(RowField(*row, "start")), ParseTimestamp(RowField(*row, "end")),
          std::max(1, std::atoi(RowField(*row, "nnodes").c_str()))});
      // A job inside a reservation charges nothing itself: the reservation's block is charged.
      // sacct loses the name once the reservation is deleted (it often is, right after its
      // jobs): the one the job was submitted to is kept from its script.
      tasks.back().reservation = RowField(*row, "reservation");
      if (tasks.back().reservation.empty()) tasks.back().reservation = w->reservation;
    }
    // An array: each task, then the whole under the array's id (what its callback announces).
    const bool array = tasks.size() > 1 || tasks.front().jobid.find('_') != std::string::npos;
    if (array) tasks.push_back(SummariseArray(id, tasks));
    look.ended.insert(look.ended.end(), tasks.begin(), tasks.end());
    done.push_back(id);
  }
  return look;
}

Status JobWatcher::SaveStates(const std::vector<WatchedJob>& restated) {
  for (const WatchedJob& w : restated)
    if (Status s = Counted(list_.Watch(cluster_, w)); !s.ok()) return s;
  return Status::Ok();
}

Status JobWatcher::Forget(const std::vector<std::string>& jobids) {
  if (jobids.empty()) return Status::Ok();
  if (Status s = Counted(list_.Forget(cluster_, jobids)); !s.ok()) return s;
  const size_t seen = size_;
  size_ = seen > jobids.size() ? seen - jobids.size() : 0;
  return Status::Ok();
}

}  // namespace sfapid::slurm
