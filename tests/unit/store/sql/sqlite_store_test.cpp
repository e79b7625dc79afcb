// The SQLite store against real database files in a temporary folder.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "store/sql/migrations.h"
#include "store/store.h"
#include "support/finished_job.h"
#include "support/temp_dir.h"

namespace sfapid {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_ + "/sub/sfapid.db"; }
  testing::TempDir tmp_{"store"};
  std::string dir_ = tmp_.path(), path_;
};

TEST_F(SqliteStoreTest, CreatesMigratesAndUsesWal) {
  auto store = OpenSqliteStore(path_);
  ASSERT_TRUE(store) << store.status().message();
  EXPECT_EQ((*store)->SchemaVersion(), sql::LatestSchemaVersion());
  EXPECT_TRUE((*store)->Ping().ok());
  EXPECT_TRUE(std::filesystem::exists(path_ + "-wal"));
}

TEST_F(SqliteStoreTest, DataSurvivesReopen) {
  const TimePoint t = *ParseIso8601("2026-11-27T10:00:00Z");
  {
    auto store = OpenSqliteStore(path_);
    ASSERT_TRUE(store);
    auto& s = (*store)->status();
    ASSERT_TRUE(s.SetStatus({"perlmutter", "degraded", "slow", t}).ok());
    ASSERT_TRUE(s.SetStatus({"perlmutter", "unavailable", "", t}).ok());  // upsert
    ASSERT_TRUE(s.AddOutage(
        {0, "perlmutter", t, t + std::chrono::hours(2), "Maint", "n", std::nullopt, "degr", t}));
    ASSERT_TRUE(s.AddNote({0, "dtns", "hello", false, t}));
  }
  auto store = OpenSqliteStore(path_);
  ASSERT_TRUE(store);
  auto& s = (*store)->status();
  auto statuses = s.ListStatuses();
  ASSERT_TRUE(statuses);
  ASSERT_EQ(statuses->size(), 1u);
  EXPECT_EQ((*statuses)[0].status, "unavailable");
  EXPECT_EQ((*statuses)[0].updated_at, t);
  auto outages = s.ListOutages("perlmutter");
  ASSERT_TRUE(outages);
  ASSERT_EQ(outages->size(), 1u);
  EXPECT_FALSE((*outages)[0].status.has_value());
  EXPECT_EQ((*outages)[0].swo, "degr");
  EXPECT_EQ((*outages)[0].end_at - (*outages)[0].start_at, std::chrono::hours(2));
  EXPECT_TRUE(s.ListOutages("dtns")->empty());
  auto notes = s.ListNotes("");
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_FALSE((*notes)[0].active);
  EXPECT_EQ(s.RemoveNote(12345).code(), Code::kNotFound);
  EXPECT_TRUE(s.RemoveNote((*notes)[0].id).ok());
  EXPECT_EQ(s.ClearStatus("dtns").code(), Code::kNotFound);
  EXPECT_TRUE(s.ClearStatus("perlmutter").ok());
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromTheFuture) {
  ASSERT_TRUE(OpenSqliteStore(path_));
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteStore(path_);
  ASSERT_FALSE(store);
  EXPECT_NE(store.status().message().find("newer than this sfapid knows"), std::string::npos);
}

TEST_F(SqliteStoreTest, MigrationKeepsTheChargesOfJobsRecordedBeforeRunningTotals) {
  {
    auto store = OpenSqliteStore(path_);
    ASSERT_TRUE(store);
    for (const char* id : {"1", "2"})
      ASSERT_TRUE(
          (*store)->compute().RecordUsage(testing::FinishedJobOf(id, "alice", "m1", 3600, 2)));
  }
  // The database as schema version 21 left it: finished jobs, no running totals.
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE finished_job_totals; PRAGMA user_version = 21", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteStore(path_);
  ASSERT_TRUE(store) << store.status().message();
  auto facts = (*store)->accounts().ChargeFactsFor("alice", "m1");
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->node_seconds_charged, 2 * 2 * 3600);
}

TEST_F(SqliteStoreTest, RecountBringsInJobsRecordedWithoutTheRunningTotal) {
  auto store = OpenSqliteStore(path_);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->compute().RecordUsage(testing::FinishedJobOf("1", "alice", "m1", 3600, 1)));
  // A node of the previous version records a job's end and nothing else.
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "INSERT INTO finished_jobs(system, jobid, user, account, state, exit_code, "
                   "submit_time, start_time, end_time, nodes, node_seconds, recorded_at) "
                   "VALUES('perlmutter', '2', 'bob', 'm1', 'COMPLETED', '0:0', 0, 0, 7200, "
                   "1, 7200, 0), ('perlmutter', '3', 'bob', 'm2', 'COMPLETED', '0:0', 0, 0, "
                   "60, 1, 60, 0)",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  auto& accounts = (*store)->accounts();
  EXPECT_EQ(accounts.ChargeFactsFor("alice", "m1")->node_seconds_charged, 3600);
  ASSERT_TRUE((*store)->compute().RecountUsageTotals().ok());
  EXPECT_EQ(accounts.ChargeFactsFor("alice", "m1")->node_seconds_charged, 3600 + 7200);
  EXPECT_EQ(accounts.ChargeFactsFor("alice", "m2")->node_seconds_charged, 60);
  ASSERT_TRUE((*store)->compute().RecountUsageTotals().ok());  // again: the same, not twice
  EXPECT_EQ(accounts.ChargeFactsFor("alice", "m1")->node_seconds_charged, 3600 + 7200);
}

TEST_F(SqliteStoreTest, UnwritableLocationIsAClearError) {
  auto store = OpenSqliteStore("/proc/sfapid/x.db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.status().message().find("/proc/sfapid"), std::string::npos);
}

}  // namespace
}  // namespace sfapid
