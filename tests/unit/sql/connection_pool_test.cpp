// The store's connection pool (sql/connection_pool.h) with fake connections that say which they
// are: a lock leases one connection to the thread and every call goes to it, concurrent holders
// get different connections opened as needed up to the maximum, and beyond it a holder waits.
#include "sql/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace sfapid::sql {
namespace {

using namespace std::chrono_literals;

// A connection whose Exec answers with its own number.
class NumberedConnection : public Database {
 public:
  explicit NumberedConnection(int n) : n_(n) {}
  Status Exec(const std::string&) override { return Status::NotFound(std::to_string(n_)); }
  Result<Statement> Prepare(std::string_view) override { return Status::Unavailable("fake"); }
  Status InTransaction(const std::function<Status()>& body) override { return body(); }
  int Changes() const override { return n_; }
  const char* dialect() const override { return "fake"; }

 private:
  int n_;
};

struct Pool {
  explicit Pool(int max)
      : pool(
            std::make_unique<NumberedConnection>(1),
            [this]() -> Result<std::unique_ptr<Database>> {
              return std::unique_ptr<Database>(new NumberedConnection(++opened + 1));
            },
            max) {}
  std::string Which() { return pool.Exec("").message(); }
  std::atomic<int> opened{0};
  ConnectionPool pool;
};

TEST(ConnectionPool, ALockLeasesOneConnectionAndEveryCallGoesToIt) {
  Pool p(4);
  std::lock_guard lock(p.pool);
  EXPECT_EQ(p.Which(), "1");
  EXPECT_EQ(p.pool.Changes(), 1);
  EXPECT_EQ(p.pool.InTransaction([&] { return p.pool.Exec(""); }).message(), "1");
  EXPECT_EQ(p.pool.open_connections(), 1) << "nothing is opened before it is needed";
}

TEST(ConnectionPool, ConcurrentHoldersGetTheirOwnConnectionsUpToTheMaximum) {
  Pool p(2);
  std::lock_guard lock(p.pool);
  auto other = std::async(std::launch::async, [&] {
    std::lock_guard theirs(p.pool);
    return p.Which();
  });
  ASSERT_EQ(other.wait_for(5s), std::future_status::ready) << "the second holder waited";
  EXPECT_EQ(other.get(), "2");
  EXPECT_EQ(p.Which(), "1") << "this thread's connection is still its own";
  EXPECT_EQ(p.pool.open_connections(), 2);
}

TEST(ConnectionPool, BeyondTheMaximumAHolderWaitsForAConnectionToBeGivenBack) {
  Pool p(1);
  std::future<std::string> waiting;
  {
    std::lock_guard lock(p.pool);
    waiting = std::async(std::launch::async, [&] {
      std::lock_guard theirs(p.pool);
      return p.Which();
    });
    EXPECT_EQ(waiting.wait_for(100ms), std::future_status::timeout);
  }
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(waiting.get(), "1");
  EXPECT_EQ(p.opened.load(), 0);
}

TEST(ConnectionPool, AConnectionThatCannotBeOpenedMeansWaitingForABusyOne) {
  ConnectionPool pool(
      std::make_unique<NumberedConnection>(1),
      []() -> Result<std::unique_ptr<Database>> { return Status::Unavailable("refused"); }, 3);
  std::future<std::string> waiting;
  {
    std::lock_guard lock(pool);
    waiting = std::async(std::launch::async, [&] {
      std::lock_guard theirs(pool);
      return pool.Exec("").message();
    });
    EXPECT_EQ(waiting.wait_for(100ms), std::future_status::timeout);
  }
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(waiting.get(), "1");
  EXPECT_EQ(pool.open_connections(), 1);
}

TEST(ConnectionPool, TwoPoolsLeaseToOneThreadIndependently) {
  Pool a(2), b(2);
  std::lock_guard la(a.pool);
  std::lock_guard lb(b.pool);
  EXPECT_EQ(a.Which(), "1");
  EXPECT_EQ(b.Which(), "1");
}

}  // namespace
}  // namespace sfapid::sql
