#include "sql/connection_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace sfapid::sql {

namespace {

// The connections this thread holds, by pool (a test process may hold stores of several).
struct Lease {
  const ConnectionPool* pool;
  Database* connection;
};
thread_local std::vector<Lease> leases;

}  // namespace

ConnectionPool::ConnectionPool(std::unique_ptr<Database> first, Connect connect,
                               int max_connections)
    : connect_(std::move(connect)), max_(std::max(1, max_connections)), dialect_(first->dialect()) {
  free_.push_back(first.get());
  all_.push_back(std::move(first));
}

ConnectionPool::~ConnectionPool() = default;

void ConnectionPool::lock() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (!free_.empty()) {
      Database* connection = free_.back();
      free_.pop_back();
      leases.push_back({this, connection});
      return;
    }
    if (!opening_ && static_cast<int>(all_.size()) < max_) {
      // Opening takes a round trip or more: others keep leasing and returning meanwhile.
      opening_ = true;
      lock.unlock();
      auto opened = connect_();
      lock.lock();
      opening_ = false;
      if (opened) {
        Database* connection = opened->get();
        all_.push_back(std::move(opened).value());
        leases.push_back({this, connection});
        return;
      }
      spdlog::warn("store: could not open connection {} of {} (waiting for a busy one): {}",
                   all_.size() + 1, max_, opened.status().message());
    }
    released_.wait(lock, [&] { return !free_.empty(); });
  }
}

void ConnectionPool::unlock() {
  auto it =
      std::find_if(leases.begin(), leases.end(), [&](const Lease& l) { return l.pool == this; });
  if (it == leases.end()) return;  // unlock without lock: nothing to give back
  Database* connection = it->connection;
  leases.erase(it);
  {
    std::lock_guard lock(mu_);
    free_.push_back(connection);
  }
  released_.notify_one();
}

int ConnectionPool::open_connections() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(all_.size());
}

Database& ConnectionPool::Current() const {
  for (const Lease& l : leases)
    if (l.pool == this) return *l.connection;
  // A store call outside the store's lock is a bug in the store: fail loudly, not on a random
  // connection another thread is using.
  spdlog::critical("store: a database call without a leased connection");
  std::abort();
}

}  // namespace sfapid::sql
