// The PostgreSQL driver against a real server (skipped without tests/run-on-postgres): the stores'
// statements are prepared once per connection and then only executed, with the same answers;
// a session that lost its prepared statements still answers.
#include "sql/postgres_database.h"

#include <gtest/gtest.h>

#include "support/test_store.h"

namespace sfapid::sql {
namespace {

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::TestPostgresUrl().empty()) GTEST_SKIP() << "needs tests/run-on-postgres";
    auto db = PostgresDatabase::Open(testing::TestPostgresUrl());
    ASSERT_TRUE(db) << db.status().message();
    db_ = std::move(db).value();
  }

  // The statements this session holds prepared, as the server lists them.
  int64_t Prepared() {
    auto n = db_->Query<int64_t>(
        "SELECT COUNT(*) FROM pg_prepared_statements", [](Statement&) {},
        [](const Statement& s) { return s.Int(0); });
    EXPECT_TRUE(n) << n.status().message();
    return n && !n->empty() ? n->front() : -1;
  }

  Result<std::vector<std::string>> Echo(int64_t number, std::string_view text) {
    return db_->Query<std::string>(
        "SELECT ?1 + 1 || ':' || ?2", [&](Statement& s) { s.Bind(1, number).Bind(2, text); },
        [](const Statement& s) { return s.Text(0); });
  }

  std::unique_ptr<PostgresDatabase> db_;
};

TEST_F(PostgresDatabaseTest, AStatementIsPreparedOnceAndRunAgainWithNewValues) {
  const int64_t before = Prepared();
  auto first = Echo(41, "a");
  ASSERT_TRUE(first) << first.status().message();
  EXPECT_EQ(*first, std::vector<std::string>{"42:a"});
  const int64_t after_first = Prepared();
  EXPECT_GT(after_first, before);
  for (int i = 0; i < 5; ++i) {
    auto again = Echo(i, "b'c");
    ASSERT_TRUE(again) << again.status().message();
    EXPECT_EQ(*again, std::vector<std::string>{std::to_string(i + 1) + ":b'c"});
  }
  // The count of prepared statements also counts the SELECT of the count itself, once.
  EXPECT_LE(Prepared(), after_first + 1);
}

TEST_F(PostgresDatabaseTest, AStatementThatFailsIsNotKeptAndItsErrorIsTheServers) {
  auto bad = db_->Query<std::string>(
      "SELECT no_such_column FROM pg_class", [](Statement&) {},
      [](const Statement& s) { return s.Text(0); });
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("column \"no_such_column\" does not exist"),
            std::string::npos);
  auto good = Echo(1, "x");
  ASSERT_TRUE(good) << good.status().message();
}

TEST_F(PostgresDatabaseTest, ASessionThatLostItsStatementsStillAnswers) {
  ASSERT_TRUE(Echo(1, "x"));
  // What a pooler in front (or an operator) can do to a session.
  ASSERT_TRUE(db_->Exec("DEALLOCATE ALL").ok());
  auto after = Echo(2, "y");
  ASSERT_TRUE(after) << after.status().message();
  EXPECT_EQ(*after, std::vector<std::string>{"3:y"});
  auto prepared_again = Echo(3, "z");  // and the next run prepares it anew
  ASSERT_TRUE(prepared_again) << prepared_again.status().message();
  EXPECT_EQ(*prepared_again, std::vector<std::string>{"4:z"});
  EXPECT_GE(Prepared(), 1);
}

}  // namespace
}  // namespace sfapid::sql
