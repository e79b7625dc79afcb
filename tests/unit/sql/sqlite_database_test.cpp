// The SQLite driver's kept statements (sql/sqlite_statement_cache.h): a statement is compiled once
// per connection and SQL text, and what the next caller gets behaves as freshly prepared: no
// binding of the last caller's, no read left open by a caller that stopped between rows, the
// values of this call.
#include "sql/sqlite_database.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "sql/sqlite_statement_cache.h"

namespace sfapid::sql {
namespace {

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sqlite-db-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "db.sqlite").string();
    auto db = SqliteDatabase::Open(path_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  Status Insert(int64_t id, const std::string& v) {
    return db_->Run("INSERT INTO t (id, v) VALUES (?1, ?2)",
                    [&](Statement& s) { s.Bind(1, id).Bind(2, v); });
  }
  std::vector<std::string> Values() {
    auto rows = db_->Query<std::string>(
        "SELECT v FROM t ORDER BY id", [](Statement&) {},
        [](const Statement& s) { return s.Text(0); });
    return rows.ok() ? *rows : std::vector<std::string>{"error: " + rows.status().message()};
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteDatabaseTest, AStatementRunAgainTakesTheNewCallsValues) {
  ASSERT_TRUE(Insert(1, "one").ok());
  ASSERT_TRUE(Insert(2, "two").ok());
  ASSERT_TRUE(Insert(3, "three").ok());
  EXPECT_EQ(Values(), (std::vector<std::string>{"one", "two", "three"}));
  // The kept insert still reports a taken key as the caller's to name.
  EXPECT_EQ(Insert(2, "again").code(), Code::kAlreadyExists);
  ASSERT_TRUE(Insert(4, "four").ok());
  EXPECT_EQ(Values(), (std::vector<std::string>{"one", "two", "three", "four"}));
}

TEST_F(SqliteDatabaseTest, AKeptStatementHasNoBindingOfTheLastCaller) {
  {
    auto s = db_->Prepare("SELECT ?1");
    ASSERT_TRUE(s.ok());
    s->Bind(1, int64_t{42});
    ASSERT_TRUE(s->Step());
    EXPECT_EQ(s->Int(0), 42);
  }
  auto s = db_->Prepare("SELECT ?1");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->Step());
  EXPECT_FALSE(s->OptionalText(0).has_value());
}

TEST_F(SqliteDatabaseTest, ACallerThatStopsBetweenRowsLeavesNoReadOpen) {
  ASSERT_TRUE(Insert(1, "one").ok());
  ASSERT_TRUE(Insert(2, "two").ok());
  {
    auto s = db_->Prepare("SELECT v FROM t ORDER BY id");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s->Step());  // one row of two: the read is still open here
  }
  // Another connection (the CLI, say) writes: with a read left open on the rollback journal this
  // would wait out the busy timeout and fail.
  auto other = SqliteDatabase::Open(path_);
  ASSERT_TRUE(other.ok());
  const auto started = std::chrono::steady_clock::now();
  Status s = (*other)->Run("INSERT INTO t (id, v) VALUES (3, 'three')", [](Statement&) {});
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_EQ(Values(), (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(SqliteDatabaseTest, TransactionsCommitAndRollBackAgainAndAgain) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(db_->InTransaction([&] { return Insert(10 + i, "kept"); }).ok());
    Status refused = db_->InTransaction([&] {
      (void)Insert(20 + i, "rolled back");
      return Status::InvalidArgument("no");
    });
    EXPECT_EQ(refused.code(), Code::kInvalidArgument);
  }
  EXPECT_EQ(Values(), (std::vector<std::string>{"kept", "kept", "kept"}));
}

TEST_F(SqliteDatabaseTest, AStatementThatFailsToCompileSaysWhyAndIsNotKept) {
  auto bad = db_->Prepare("SELECT w FROM later");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no such table: later"), std::string::npos);
  ASSERT_TRUE(db_->Exec("CREATE TABLE later (w TEXT)").ok());
  EXPECT_TRUE(db_->Prepare("SELECT w FROM later").ok());
}

TEST_F(SqliteDatabaseTest, AKeptStatementFollowsASchemaChange) {
  ASSERT_TRUE(Insert(1, "one").ok());
  EXPECT_EQ(Values(), (std::vector<std::string>{"one"}));
  ASSERT_TRUE(db_->Exec("ALTER TABLE t ADD COLUMN w TEXT; UPDATE t SET v = 'uno'").ok());
  EXPECT_EQ(Values(), (std::vector<std::string>{"uno"}));
}

TEST_F(SqliteDatabaseTest, AStatementThatOutlivesItsDatabaseEndsCleanly) {
  ASSERT_TRUE(Insert(1, "one").ok());
  auto s = db_->Prepare("SELECT v FROM t");
  ASSERT_TRUE(s.ok());
  db_.reset();  // the connection stays until its last statement goes
  EXPECT_TRUE(s->Step());
  EXPECT_EQ(s->Text(0), "one");
}

TEST(SqliteStatementCacheTest, GivesBackWhatWasKeptForTheSameSqlOnlyAndKeepsNoMoreThanItsMax) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  const auto compile = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    return stmt;
  };
  {
    SqliteStatementCache cache(2);
    sqlite3_stmt* a = compile("SELECT 1");
    sqlite3_stmt* b = compile("SELECT 2");
    sqlite3_stmt* c = compile("SELECT 3");
    cache.Give("SELECT 1", a);
    cache.Give("SELECT 2", b);
    cache.Give("SELECT 3", c);  // over the max: one kept before makes room
    EXPECT_EQ(cache.Take("SELECT 3"), c);
    EXPECT_EQ(cache.Take("SELECT 3"), nullptr);  // taken: one caller at a time
    sqlite3_stmt* one = cache.Take("SELECT 1");
    sqlite3_stmt* two = cache.Take("SELECT 2");
    EXPECT_TRUE((one == a && two == nullptr) || (one == nullptr && two == b));
    EXPECT_EQ(cache.Take("SELECT 1 "), nullptr);  // another text is another statement
    cache.Give("SELECT 3", c);
    if (one) cache.Give("SELECT 1", one);
    if (two) cache.Give("SELECT 2", two);
  }  // the cache finalizes what it keeps: the connection then closes cleanly
  EXPECT_EQ(sqlite3_close(db), SQLITE_OK);
}

}  // namespace
}  // namespace sfapid::sql
