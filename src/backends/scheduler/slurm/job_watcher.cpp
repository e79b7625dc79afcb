#include "backends/scheduler/slurm/job_watcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>

#include "backends/scheduler/job_fields.h"
#include "util/private_files.h"

namespace sfapid::slurm {

namespace json = boost::json;

namespace {

// sacct's local "2026-11-27T21:03:04" as Unix seconds; 0 for "Unknown", "None", "".
int64_t ParseLocalTime(const std::string& text) {
  tm t{};
  if (text.size() != 19 || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &t)) return 0;
  t.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&t));
}

// The rename that replaced the file is on disk only once its folder is.
Status SyncFolder(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot open " + dir + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::Unavailable("cannot sync " + dir + ": " + std::strerror(err));
  return Status::Ok();
}

}  // namespace

JobWatcher::JobWatcher(std::string cluster, std::string state_dir)
    : cluster_(std::move(cluster)),
      state_dir_(std::move(state_dir)),
      state_file_(state_dir_ + "/slurm-watched.json") {}

Status JobWatcher::Load() {
  const int fd = ::open(state_file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Unavailable("cannot read " + state_file_ + ": " + std::strerror(errno));
  }
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  const int err = errno;
  ::close(fd);
  if (n < 0) return Status::Unavailable("cannot read " + state_file_ + ": " + std::strerror(err));
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Unavailable(state_file_ + " is not a JSON object");
  std::lock_guard lock(mu_);
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
    watched_[std::string(id)] =
        Watched{std::string(user->as_string()), submitted->as_int64(),
                reservation && reservation->is_string() ? std::string(reservation->as_string())
                                                        : std::string()};
  }
  if (skipped > 0)
    return Status::Unavailable(state_file_ + ": " + std::to_string(skipped) +
                               " damaged record(s) skipped");
  return Status::Ok();
}

Status JobWatcher::Watch(const std::string& jobid, const std::string& user, int64_t submitted,
                         const std::string& reservation) {
  {
    std::lock_guard lock(mu_);
    watched_[jobid] = Watched{user, submitted, reservation};
  }
  return Save();
}

Status JobWatcher::Save() {
  std::lock_guard saving(save_mu_);
  json::object o;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, w] : watched_)
      o[id] = json::object{
          {"user", w.user}, {"submitted", w.submitted}, {"reservation", w.reservation}};
  }
  Status s = EnsurePrivateDir(state_dir_);
  if (s.ok()) s = WritePrivateFileAtomically(state_file_, json::serialize(o));
  if (s.ok()) s = SyncFolder(state_dir_);
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    ++save_failures_;
  }
  return s;
}

JobWatcher::Look JobWatcher::Check(const Sources& slurm, int64_t now) const {
  Look look;
  std::map<std::string, Watched> candidates;
  {
    std::lock_guard lock(mu_);
    if (watched_.empty()) return look;
  }
  auto queue = slurm.queue();
  if (!queue) return look;
  std::set<std::string> active, ended;
  for (const Row& row : **queue) {
    const std::string id = RowField(row.fields, "jobid");
    (IsTerminalState(RowField(row.fields, "state")) ? ended : active)
        .insert(id.substr(0, id.find('_')));
  }
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, w] : watched_)
      if (!active.count(id)) candidates.emplace(id, w);
  }
  if (candidates.empty()) return look;
  auto accounting = slurm.accounting();
  if (!accounting) return look;
  // A job the window leaves out (cancelled while held: never eligible) is looked up by id: once
  // the queue shows it ended, or a minute after submission (not merely newer than the queue
  // snapshot, which would cost a sacct per job just submitted).
  std::string missing;
  for (const auto& [id, w] : candidates)
    if ((ended.count(id) || now - w.submitted > 60) && RowsOfJob(**accounting, id).empty() &&
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
      if (now - w.submitted > 86400) done.push_back(id);
      continue;
    }
    std::vector<FinishedJob> tasks;
    for (const JobRow* row : rows) {
      tasks.push_back(FinishedJob{
          cluster_, RowField(*row, "jobid"), w.user, RowField(*row, "account"), RowState(*row),
          RowField(*row, "exitcode"), ParseLocalTime(RowField(*row, "submit")),
          ParseLocalTime(RowField(*row, "start")), ParseLocalTime(RowField(*row, "end")),
          std::max(1, std::atoi(RowField(*row, "nnodes").c_str()))});
      // A job inside a reservation charges nothing itself: the reservation's block is charged.
      // sacct loses the name once the reservation is deleted (it often is, right after its
      // jobs): the one the job was submitted to is kept from its script.
      tasks.back().reservation = RowField(*row, "reservation");
      if (tasks.back().reservation.empty()) tasks.back().reservation = w.reservation;
    }
    // An array: each task, then the whole under the array's id (what its callback announces).
    const bool array = tasks.size() > 1 || tasks.front().jobid.find('_') != std::string::npos;
    if (array) tasks.push_back(SummariseArray(id, tasks));
    look.ended.insert(look.ended.end(), tasks.begin(), tasks.end());
    done.push_back(id);
  }
  return look;
}

Status JobWatcher::Forget(const std::vector<std::string>& jobids) {
  if (jobids.empty()) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    for (const auto& id : jobids) watched_.erase(id);
  }
  return Save();
}

size_t JobWatcher::size() const {
  std::lock_guard lock(mu_);
  return watched_.size();
}

uint64_t JobWatcher::save_failures() const {
  std::lock_guard lock(mu_);
  return save_failures_;
}

}  // namespace sfapid::slurm
