// `sfapid store copy`: a store filled through the store interfaces, copied from its SQLite file
// into the test store (SQLite, or PostgreSQL under tests/run-on-postgres), reads back the same
// through the same interfaces; new rows continue after the copied ids; a target with rows is
// refused and left as it was.
#include "store/sql/store_copy.h"

#include <gtest/gtest.h>

#include "sql/postgres_database.h"
#include "sql/sqlite_database.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

OutageRecord Outage(const std::string& description) {
  OutageRecord o;
  o.name = "perlmutter";
  o.start_at = TimePoint(std::chrono::seconds(1'800'000'000));
  o.end_at = o.start_at + std::chrono::hours(2);
  o.description = description;
  o.notes = "it's 'quoted', \"twice\" and ünïcode";
  o.swo = "true";
  o.update_at = o.start_at;
  return o;
}

class StoreCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The source: an SQLite store filled through its interfaces, then closed.
    auto source = OpenSqliteStore(source_path_);
    ASSERT_TRUE(source) << source.status().message();
    Store& s = **source;
    ASSERT_TRUE(s.status().AddOutage(Outage("first")));
    ASSERT_TRUE(s.status().AddOutage(Outage("second")));
    ClientRecord c;
    c.client_id = "abcdefghijklm";
    c.owner = "alice";
    c.name = "laptop";
    c.level = Level::kRed;
    c.ip_ranges = {"10.0.0.0/8", "192.168.1.0/24"};
    c.created_at = TimePoint(std::chrono::seconds(1'800'000'000));
    c.expires_at = c.created_at + std::chrono::hours(48);
    c.public_key_pem = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n";
    ASSERT_TRUE(s.auth().CreateClient(c).ok());
    ProjectRecord p;
    p.repo_name = "m1234";
    p.cpu_hours_given = 0.1;  // not exact in binary: must arrive as the same double
    p.gpu_hours_given = 1e-7;
    auto project = s.accounts().AddProject(p);
    ASSERT_TRUE(project);
    project_id_ = *project;
    ASSERT_TRUE(s.accounts().AddUser({"alice", 1234, "Alice", "L", "", "", "", ""}).ok());
    ASSERT_TRUE(s.accounts().SetMember(*project, "alice", "pi").ok());
    auto task = s.tasks().CreateTask("alice", "command", "perlmutter", "node-a",
                                     TimePoint(std::chrono::seconds(1'800'000'000)));
    ASSERT_TRUE(task);
    task_id_ = *task;
    ASSERT_TRUE(s.tasks().UpdateTask(task_id_, "completed", R"({"output":"done"})"));
  }

  // The test store, opened as the copy's target database.
  std::unique_ptr<sql::Database> Target() {
    auto location = testing::TestStoreLocation(target_path_);
    EXPECT_TRUE(location) << location.status().message();
    auto db = sql::OpenCopyEnd(location ? *location : "", sql::CopyEnd::kTarget);
    EXPECT_TRUE(db) << db.status().message();
    return db ? std::move(db).value() : nullptr;
  }
  std::unique_ptr<sql::Database> Source() {
    auto db = sql::OpenCopyEnd("sqlite:" + source_path_, sql::CopyEnd::kSource);
    EXPECT_TRUE(db) << db.status().message();
    return db ? std::move(db).value() : nullptr;
  }
  std::unique_ptr<Store> TargetStore() {
    auto store = testing::OpenTestStore(target_path_);
    EXPECT_TRUE(store) << store.status().message();
    return store ? std::move(store).value() : nullptr;
  }

  testing::TempDir dir_{"store-copy"};
  std::string source_path_ = dir_ / "old.db";
  std::string target_path_ = dir_ / "new.db";
  int64_t project_id_ = 0;
  std::string task_id_;
};

TEST_F(StoreCopyTest, EveryRowArrivesAndNewIdsFollowTheCopiedOnes) {
  {
    auto source = Source();
    auto target = Target();
    ASSERT_TRUE(source && target);
    std::map<std::string, int64_t> heard;
    auto copied = sql::CopyStore(*source, *target,
                                 [&](const sql::CopiedTable& t) { heard[t.table] = t.rows; });
    ASSERT_TRUE(copied) << copied.status().message();
    EXPECT_EQ(heard.size(), copied->size());
    EXPECT_EQ(heard["outages"], 2);
    EXPECT_EQ(heard["clients"], 1);
    EXPECT_EQ(heard["projects"], 1);
    EXPECT_EQ(heard["project_members"], 1);
    EXPECT_EQ(heard["tasks"], 1);
    EXPECT_EQ(heard["web_sessions"], 0);  // empty tables are copied (and listed) too
  }
  auto store = TargetStore();
  ASSERT_TRUE(store);
  auto outages = store->status().ListOutages("perlmutter");
  ASSERT_TRUE(outages);
  ASSERT_EQ(outages->size(), 2u);
  EXPECT_EQ((*outages)[0].notes, Outage("").notes);
  EXPECT_EQ((*outages)[1].description, "second");
  auto client = store->auth().GetClient("abcdefghijklm");
  ASSERT_TRUE(client) << client.status().message();
  EXPECT_EQ(client->level, Level::kRed);
  EXPECT_EQ(client->ip_ranges, (std::vector<std::string>{"10.0.0.0/8", "192.168.1.0/24"}));
  EXPECT_EQ(client->expires_at - client->created_at, std::chrono::hours(48));
  auto project = store->accounts().GetProject("m1234");
  ASSERT_TRUE(project && *project);
  EXPECT_EQ((*project)->id, project_id_);
  EXPECT_EQ((*project)->cpu_hours_given, 0.1);  // exactly the same double
  EXPECT_EQ((*project)->gpu_hours_given, 1e-7);
  auto members = store->accounts().MembersOf(project_id_);
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].role, "pi");
  auto task = store->tasks().GetTask(task_id_);
  ASSERT_TRUE(task) << task.status().message();
  EXPECT_EQ(task->status, "completed");
  EXPECT_EQ(task->result, R"({"output":"done"})");
  // An identity key continues after the copied rows instead of colliding with the first.
  auto third = store->status().AddOutage(Outage("third"));
  ASSERT_TRUE(third) << third.status().message();
  EXPECT_GT(*third, (*outages)[1].id);
  ProjectRecord p;
  p.repo_name = "m5678";
  auto next_project = store->accounts().AddProject(p);
  ASSERT_TRUE(next_project) << next_project.status().message();
  EXPECT_GT(*next_project, project_id_);
}

TEST_F(StoreCopyTest, ATargetWithRowsIsRefusedAndLeftAsItWas) {
  {
    auto store = TargetStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->status().AddOutage(Outage("already here")));
  }
  {
    auto source = Source();
    auto target = Target();
    ASSERT_TRUE(source && target);
    auto copied = sql::CopyStore(*source, *target);
    ASSERT_FALSE(copied);
    EXPECT_EQ(copied.status().code(), Code::kFailedPrecondition);
    EXPECT_EQ(copied.status().message(),
              "the target already holds data (outages has 1 rows): copy only into an empty "
              "database");
  }
  auto store = TargetStore();
  ASSERT_TRUE(store);
  auto outages = store->status().ListOutages("perlmutter");
  ASSERT_TRUE(outages);
  ASSERT_EQ(outages->size(), 1u);
  EXPECT_EQ((*outages)[0].description, "already here");
  EXPECT_FALSE(store->auth().GetClient("abcdefghijklm"));
}

TEST(StoreCopyEnds, AreNamedAsTheCommandNamesThem) {
  testing::TempDir dir("store-copy-ends");
  auto missing = sql::OpenCopyEnd("sqlite:" + (dir / "no-such.db"), sql::CopyEnd::kSource);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().message(), "no SQLite store at '" + (dir / "no-such.db") + "'");
  EXPECT_FALSE(std::filesystem::exists(dir / "no-such.db"));  // not made by the attempt
  for (const std::string bad : {"mysql://db/x", "/var/lib/sfapid/sfapid.db", ""}) {
    auto refused = sql::OpenCopyEnd(bad, sql::CopyEnd::kTarget);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("sqlite:PATH or postgresql://"), std::string::npos);
  }
  auto unreachable =
      sql::OpenCopyEnd("postgresql://sfapid:secret@127.0.0.1:1/sfapid", sql::CopyEnd::kTarget);
  ASSERT_FALSE(unreachable);
  EXPECT_NE(unreachable.status().message().find("cannot reach PostgreSQL"), std::string::npos);
  EXPECT_EQ(unreachable.status().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace sfapid
