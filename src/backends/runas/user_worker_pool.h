// Long-lived per-user workers: one privilege-dropped `sfapid worker --account NAME --serve`
// process per active user (a few when one user sends requests at once), reached over a Unix
// socket pair, answering that user's file requests (ls, read, write, open, script writes) one
// after another. A process start costs milliseconds on every request; a socket round trip costs
// tens of microseconds.
//
// What keeps users apart (docs/security.md, "Long-lived workers"): a worker is started for one
// account and drops to its uid, gid and groups before it reads anything; it says which uid and
// gid and groups it became and is ended unless they are the account's; the pool hands a worker
// only to requests of the account it was started for, and only while the account's groups are
// still those it started with. The worker holds nothing of the server's but its
// end of the socket. A worker that misses its deadline, leaves the protocol or dies is ended and
// a new one started for the next request; an unused one ends after the idle time, any after the
// maximum age, and past the cap the least recently
// used idle worker of any user ends first. When none of the user's workers is free and no more
// may start, the caller falls back to a one-request worker: nobody waits for another's request.
#pragma once

#include <sys/types.h>

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/runas/run_as.h"
#include "backends/runas/worker_exchange.h"
#include "util/periodic_thread.h"
#include "util/unique_fd.h"

namespace sfapid {

struct WorkerPoolLimits {
  double timeout_seconds = 300;  // one request, as for any worker
  double idle_seconds = 60;
  double max_age_seconds = 600;
  std::size_t max_workers = 64;  // all users together
  std::size_t per_user = 8;      // one account's at once
};

class UserWorkerPool {
 public:
  UserWorkerPool(std::string worker_binary, WorkerPoolLimits limits);
  ~UserWorkerPool();  // ends every worker
  UserWorkerPool(const UserWorkerPool&) = delete;
  UserWorkerPool& operator=(const UserWorkerPool&) = delete;

  // One request as the user on one of their workers; a descriptor the worker sends along (an
  // opened file) goes to *fd. nullopt when none of their workers is free and none may start (or
  // one could not start): the caller uses a one-request worker instead.
  std::optional<Result<WorkerReply>> Call(const UnixIdentity& who,
                                          const boost::json::object& request,
                                          std::string_view input, std::size_t body_size_limit,
                                          UniqueFd* fd = nullptr);

  // Ends idle workers past the idle time or the maximum age, and dead ones. Every second on the
  // pool's own thread; public for tests.
  void Housekeep();

  std::size_t live() const;

 private:
  struct Worker {
    std::string account;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // sorted: the account's groups when it started
    pid_t pid = -1;
    UniqueFd socket;
    std::chrono::steady_clock::time_point started, last_used;
    bool busy = false;
  };
  using Clock = std::chrono::steady_clock;

  // A free, healthy worker of the account's, marked busy, or a new one; nullptr when none may
  // start. `fresh` says which.
  Worker* Take(const UnixIdentity& who, bool& fresh);
  Result<std::unique_ptr<Worker>> Start(const UnixIdentity& who,
                                        const std::vector<gid_t>& groups) const;
  // Back to the free ones, or ended when it cannot serve again.
  void Release(Worker* w, bool reusable);
  // Takes `w` out of workers_ (mu_ held); the caller ends it outside the lock.
  std::unique_ptr<Worker> Remove(Worker* w);
  static void End(std::unique_ptr<Worker> w);
  // Not readable and not hung up: a free worker sends nothing, so anything else means it died or
  // left the protocol.
  static bool Quiet(const Worker& w);
  WorkerDeadline Deadline() const;

  const std::string binary_;
  const WorkerPoolLimits limits_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Worker>> workers_;
  PeriodicThread housekeeping_;
};

}  // namespace sfapid
