// Several connections to one database for the stores, so that the store work of concurrent
// requests overlaps (PostgreSQL: each statement is a round trip to the server; SQLite keeps one
// connection, its writers serialise anyway). The stores lock the pool as they locked one mutex
// before (`std::lock_guard lock(pool)`): locking leases a free connection to the calling thread
// until unlock, opening another (up to `max_connections`) when all are busy, and the pool's
// Database face forwards each call to the calling thread's connection — so a store method and the
// helpers it calls under the lock use one connection (its transaction, its Changes()). Like the
// mutex it replaces, it is not re-entrant: a thread locks one pool once at a time.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "sql/database.h"

namespace sfapid::sql {

class ConnectionPool : public Database {
 public:
  using Connect = std::function<Result<std::unique_ptr<Database>>()>;

  // `first` is open already (the migrations ran on it); `connect` opens more, up to the maximum.
  ConnectionPool(std::unique_ptr<Database> first, Connect connect, int max_connections);
  ~ConnectionPool() override;

  // BasicLockable: lease a connection to this thread / give it back.
  void lock();
  void unlock();
  int open_connections() const;

  // Database, on the calling thread's leased connection.
  Status Exec(const std::string& sql) override { return Current().Exec(sql); }
  Result<Statement> Prepare(std::string_view sql) override { return Current().Prepare(sql); }
  Status InTransaction(const std::function<Status()>& body) override {
    return Current().InTransaction(body);
  }
  int Changes() const override { return Current().Changes(); }
  const char* dialect() const override { return dialect_; }

 private:
  Database& Current() const;

  Connect connect_;
  const int max_;
  const char* dialect_;
  mutable std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Database>> all_;  // under mu_
  std::vector<Database*> free_;                 // under mu_
  bool opening_ = false;                        // one connection is being opened (outside mu_)
};

}  // namespace sfapid::sql
