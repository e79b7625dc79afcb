#include "backends/runas/user_worker_pool.h"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "backends/runas/spawn_as_user.h"
#include "backends/runas/worker_socket_exchange.h"
#include "util/spawn.h"

namespace sfapid {

namespace json = boost::json;

namespace {

// Requests a worker may take again after one that failed before it answered: they change nothing.
bool Repeatable(const json::object& request) {
  const json::value* op = request.if_contains("op");
  const json::value* intent = request.if_contains("intent");
  // Opening a new upload part creates it (O_EXCL): a second try would find the first one's.
  return op && (*op == "ls" || *op == "read" || (*op == "open" && intent && *intent == "read"));
}

std::vector<gid_t> Sorted(std::vector<gid_t> groups) {
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  return groups;
}

std::chrono::milliseconds Seconds(double s) {
  return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
}

}  // namespace

UserWorkerPool::UserWorkerPool(std::string worker_binary, WorkerPoolLimits limits)
    : binary_(std::move(worker_binary)), limits_(limits) {
  housekeeping_.Start(std::chrono::seconds(1), [this] { Housekeep(); });
}

UserWorkerPool::~UserWorkerPool() {
  housekeeping_.Stop();
  std::vector<std::unique_ptr<Worker>> all;
  {
    std::lock_guard lock(mu_);
    all.swap(workers_);
  }
  for (auto& w : all) End(std::move(w));
}

WorkerDeadline UserWorkerPool::Deadline() const {
  return Clock::now() + Seconds(limits_.timeout_seconds);
}

std::size_t UserWorkerPool::live() const {
  std::lock_guard lock(mu_);
  return workers_.size();
}

bool UserWorkerPool::Quiet(const Worker& w) {
  pollfd p{w.socket.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

void UserWorkerPool::End(std::unique_ptr<Worker> w) {
  if (!w || w->pid <= 0) return;
  // It holds no request of anyone's now (free, or its request is over): nothing to finish.
  w->socket.Reset();
  ::kill(w->pid, SIGKILL);
  int status = 0;
  while (::waitpid(w->pid, &status, 0) < 0 && errno == EINTR) {
  }
}

std::unique_ptr<UserWorkerPool::Worker> UserWorkerPool::Remove(Worker* w) {
  auto it = std::find_if(workers_.begin(), workers_.end(),
                         [w](const std::unique_ptr<Worker>& p) { return p.get() == w; });
  if (it == workers_.end()) return nullptr;
  std::unique_ptr<Worker> out = std::move(*it);
  workers_.erase(it);
  return out;
}

Result<std::unique_ptr<UserWorkerPool::Worker>> UserWorkerPool::Start(
    const UnixIdentity& who, const std::vector<gid_t>& groups) const {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0)
    return Status::Unavailable(std::string("socketpair: ") + std::strerror(errno));
  auto w = std::make_unique<Worker>();
  w->socket = UniqueFd(sockets[0]);
  const UniqueFd theirs(sockets[1]);
  auto pid = Spawn({.argv = {binary_, "worker", "--account", who.account, "--serve"},
                    .env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
                    .stdin_fd = theirs.get(),
                    .stdout_fd = theirs.get()});
  if (!pid) return Status::Unavailable("cannot start a worker: " + pid.status().message());
  w->pid = *pid;
  w->account = who.account;
  w->started = w->last_used = Clock::now();
  w->busy = true;
  // It says who it became before it takes a request; anything but the account's uid, gid and
  // groups and it never serves (a changed account, a wrong binary).
  auto hello =
      ExchangeOnSocket(w->socket.get(), "", 4096,
                       Clock::now() + Seconds(std::min(limits_.timeout_seconds, 10.0)), w->pid);
  Status wrong;
  if (!hello.reply || !*hello.reply || !(*hello.reply)->ok()) {
    wrong = Status::Unavailable(
        hello.timed_out ? "it did not start in time"
        : hello.reply   ? (*hello.reply ? (*hello.reply)->error() : hello.reply->status().message())
                        : hello.error);
  } else {
    const json::object& h = (*hello.reply)->header;
    const json::value* uid = h.if_contains("uid");
    const json::value* gid = h.if_contains("gid");
    std::vector<gid_t> became;
    if (const json::value* g = h.if_contains("groups"); g && g->is_array())
      for (const auto& v : g->as_array())
        if (v.is_int64()) became.push_back(static_cast<gid_t>(v.as_int64()));
    if (!uid || !gid || *uid != static_cast<int64_t>(who.uid) ||
        *gid != static_cast<int64_t>(who.gid) ||
        // Without root the worker keeps the server's own groups (it serves that account alone).
        (::geteuid() == 0 && Sorted(became) != groups))
      wrong = Status::Unavailable("it did not become uid " + std::to_string(who.uid) + " gid " +
                                  std::to_string(who.gid) + " with the account's groups");
    w->uid = who.uid;
    w->gid = who.gid;
    w->groups = groups;
  }
  if (!wrong.ok()) {
    End(std::move(w));
    return Status::Unavailable("the worker for " + who.account + " failed: " + wrong.message());
  }
  return w;
}

UserWorkerPool::Worker* UserWorkerPool::Take(const UnixIdentity& who, bool& fresh) {
  // The account's groups now: a worker started before they changed (a project group joined or
  // left) no longer fits and ends, so a change reaches the next request.
  auto looked_up = GroupsOf(who.account, who.gid);
  if (!looked_up) return nullptr;
  const std::vector<gid_t> groups = Sorted(std::move(*looked_up));
  std::vector<std::unique_ptr<Worker>> ending;
  Worker* placeholder = nullptr;
  {
    std::lock_guard lock(mu_);
    std::size_t theirs = 0;
    for (std::size_t i = 0; i < workers_.size();) {
      Worker* w = workers_[i].get();
      const bool same = w->account == who.account && w->uid == who.uid && w->gid == who.gid;
      // A placeholder (pid -1) is one starting: it counts, but is not free.
      if (!same || w->busy || w->pid < 0) {
        theirs += w->account == who.account;
        ++i;
        continue;
      }
      // Died or left the protocol while free, or was started with other groups.
      if (!Quiet(*w) || w->groups != groups) {
        ending.push_back(Remove(w));
        continue;
      }
      w->busy = true;
      fresh = false;
      placeholder = w;
      break;
    }
    if (!placeholder && theirs < limits_.per_user) {
      if (workers_.size() >= limits_.max_workers) {
        // The least recently used free worker of anyone's makes room.
        Worker* lru = nullptr;
        for (auto& w : workers_)
          if (!w->busy && (!lru || w->last_used < lru->last_used)) lru = w.get();
        if (lru) ending.push_back(Remove(lru));
      }
      if (workers_.size() < limits_.max_workers) {
        auto slot = std::make_unique<Worker>();
        slot->account = who.account;
        slot->busy = true;
        placeholder = slot.get();
        workers_.push_back(std::move(slot));
        fresh = true;
      }
    }
  }
  for (auto& w : ending) End(std::move(w));
  if (!placeholder || !fresh) return placeholder;
  auto started = Start(who, groups);
  std::lock_guard lock(mu_);
  if (!started) {
    spdlog::warn("{}; using a one-request worker", started.status().message());
    Remove(placeholder);
    return nullptr;
  }
  *placeholder = std::move(**started);
  return placeholder;
}

void UserWorkerPool::Release(Worker* w, bool reusable) {
  std::unique_ptr<Worker> ended;
  {
    std::lock_guard lock(mu_);
    if (reusable) {
      w->busy = false;
      w->last_used = Clock::now();
      return;
    }
    ended = Remove(w);
  }
  End(std::move(ended));
}

std::optional<Result<WorkerReply>> UserWorkerPool::Call(const UnixIdentity& who,
                                                        const json::object& request,
                                                        std::string_view input,
                                                        std::size_t body_size_limit, UniqueFd* fd) {
  const std::string framed = FramedRequest(request, input);
  for (int attempt = 0;; ++attempt) {
    bool fresh = false;
    Worker* w = Take(who, fresh);
    if (!w) return std::nullopt;
    SocketExchange ex =
        ExchangeOnSocket(w->socket.get(), framed, body_size_limit, Deadline(), w->pid);
    // A refusal the worker made whole ("internal") ended it; any other reply leaves it ready.
    const bool answered = ex.reply && ex.reply->ok();
    Release(w, answered);
    if (ex.stopped) return WorkerStopped();
    if (ex.timed_out)
      return Status::Unavailable("the worker acting as the user did not answer within " +
                                 std::to_string(static_cast<int64_t>(limits_.timeout_seconds)) +
                                 " s and was stopped");
    if (ex.reply) {
      if (fd) *fd = std::move(ex.fd);
      return std::move(*ex.reply);
    }
    // A worker that died while free (killed by its user, say) between the check and this
    // request: a request that changes nothing goes to a new one, once.
    if (!fresh && !ex.received_any && attempt == 0 && Repeatable(request)) continue;
    return Status::Unavailable(ex.error);
  }
}

void UserWorkerPool::Housekeep() {
  std::vector<std::unique_ptr<Worker>> ending;
  {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    for (std::size_t i = 0; i < workers_.size();) {
      Worker* w = workers_[i].get();
      const bool idle_too_long = now - w->last_used > Seconds(limits_.idle_seconds);
      const bool too_old = now - w->started > Seconds(limits_.max_age_seconds);
      if (!w->busy && w->pid > 0 && (idle_too_long || too_old || !Quiet(*w)))
        ending.push_back(Remove(w));
      else
        ++i;
    }
  }
  for (auto& w : ending) End(std::move(w));
}

}  // namespace sfapid
