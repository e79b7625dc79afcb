// The compute store (usage charges, callback registrations and deliveries) against real SQLite
// files in a temporary folder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sql/migrations.h"
#include "store/store.h"
#include "support/temp_dir.h"
#include "support/test_store.h"

namespace sfapid {
namespace {

class ComputeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    auto s = testing::OpenTestStore(dir_ + "/sfapid.db");
    ASSERT_TRUE(s) << s.status().message();
    store_ = std::move(s).value();
  }
  ComputeStore& compute() { return store_->compute(); }

  static FinishedJob Job(const std::string& jobid, const std::string& account, int64_t seconds,
                         int nodes, const std::string& system = "perlmutter") {
    FinishedJob j;
    j.system = system;
    j.jobid = jobid;
    j.user = "alice";
    j.account = account;
    j.state = "COMPLETED";
    j.exit_code = "0:0";
    j.submit_time = 1000;
    j.start_time = 2000;
    j.end_time = 2000 + seconds;
    j.nodes = nodes;
    return j;
  }

  static CallbackDelivery Delivery(const std::string& id, const std::string& jobid,
                                   const std::string& kind, int64_t next_ms) {
    CallbackDelivery d;
    d.id = id;
    d.system = "perlmutter";
    d.jobid = jobid;
    d.client_id = "client1";
    d.kind = kind;
    d.target = kind == "url" ? "http://127.0.0.1:9/hook" : "alice@example.org";
    d.state = "pending";
    d.created_ms = 1000;
    d.expires_ms = 100000;
    d.next_attempt_ms = next_ms;
    d.body = "{\"jobid\":\"" + jobid + "\"}";
    return d;
  }

  testing::TempDir tmp_{"compute-store"};
  std::string dir_ = tmp_.path();
  std::unique_ptr<Store> store_;
};

TEST_F(ComputeStoreTest, MigratesToTheLatestSchema) {
  EXPECT_EQ(store_->SchemaVersion(), sql::LatestSchemaVersion());
  EXPECT_GE(sql::LatestSchemaVersion(), 5);
}

TEST_F(ComputeStoreTest, ChargesEachJobOnce) {
  auto first = compute().RecordUsage(Job("1", "m1", 3600, 2));
  ASSERT_TRUE(first) << first.status().message();
  EXPECT_TRUE(*first);
  // The same job reported again, even with other numbers, changes nothing.
  auto again = compute().RecordUsage(Job("1", "m1", 7200, 8));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  ASSERT_TRUE(*compute().RecordUsage(Job("2", "m1", 1800, 1)));
  ASSERT_TRUE(*compute().RecordUsage(Job("3", "m2", 360, 10)));
  ASSERT_TRUE(*compute().RecordUsage(Job("1", "m1", 3600, 1, "muller")));  // another system
  FinishedJob never_started = Job("4", "m2", 0, 4);
  never_started.start_time = 0;
  never_started.state = "CANCELLED";
  ASSERT_TRUE(*compute().RecordUsage(never_started));

  auto all = compute().UsageByAccount("");
  ASSERT_TRUE(all) << all.status().message();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].system, "muller");
  EXPECT_EQ((*all)[0].account, "m1");
  EXPECT_EQ((*all)[0].jobs, 1);
  EXPECT_DOUBLE_EQ((*all)[0].node_hours, 1.0);
  EXPECT_EQ((*all)[1].system, "perlmutter");
  EXPECT_EQ((*all)[1].account, "m1");
  EXPECT_EQ((*all)[1].jobs, 2);
  EXPECT_DOUBLE_EQ((*all)[1].node_hours, 2.5);  // 1 h x 2 nodes + 0.5 h x 1 node
  EXPECT_EQ((*all)[2].account, "m2");
  EXPECT_EQ((*all)[2].jobs, 2);
  EXPECT_DOUBLE_EQ((*all)[2].node_hours, 1.0);  // 0.1 h x 10 nodes + a job that never ran

  auto m2 = compute().UsageByAccount("m2");
  ASSERT_TRUE(m2);
  ASSERT_EQ(m2->size(), 1u);
  EXPECT_EQ((*m2)[0].account, "m2");
  EXPECT_TRUE(compute().UsageByAccount("nobody")->empty());

  auto job = compute().GetFinishedJob("perlmutter", "1");
  ASSERT_TRUE(job);
  ASSERT_TRUE(job->has_value());
  EXPECT_EQ((*job)->nodes, 2);  // the first report
  EXPECT_EQ((*job)->end_time, 2000 + 3600);
  EXPECT_EQ((*job)->user, "alice");
  EXPECT_EQ((*job)->exit_code, "0:0");
  EXPECT_FALSE(compute().GetFinishedJob("perlmutter", "99")->has_value());
}

TEST_F(ComputeStoreTest, RegistrationIsReplacedBySameJob) {
  CallbackRegistration r{"perlmutter", "7",  "client1", "alice", "https://example.org/a",
                         "",           60.5, Now()};
  ASSERT_TRUE(compute().SaveRegistration(r).ok());
  r.url = "https://example.org/b";
  r.email = "alice@example.org";
  ASSERT_TRUE(compute().SaveRegistration(r).ok());
  auto got = compute().GetRegistration("perlmutter", "7");
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->url, "https://example.org/b");
  EXPECT_EQ((*got)->email, "alice@example.org");
  EXPECT_DOUBLE_EQ((*got)->timeout_seconds, 60.5);
  EXPECT_EQ((*got)->client_id, "client1");
  EXPECT_EQ((*got)->created_at, r.created_at);
  EXPECT_FALSE(compute().GetRegistration("perlmutter", "8")->has_value());
  EXPECT_FALSE(compute().GetRegistration("muller", "7")->has_value());
}

TEST_F(ComputeStoreTest, OneDeliveryPerJobAndKind) {
  auto added = compute().AddDelivery(Delivery("d1", "7", "url", 500));
  ASSERT_TRUE(added) << added.status().message();
  EXPECT_TRUE(*added);
  EXPECT_FALSE(*compute().AddDelivery(Delivery("d2", "7", "url", 100)));  // same job and kind
  EXPECT_TRUE(*compute().AddDelivery(Delivery("d3", "7", "email", 300)));
  EXPECT_TRUE(*compute().AddDelivery(Delivery("d4", "8", "url", 100)));
  EXPECT_EQ(compute().GetDelivery("d2").status().code(), Code::kNotFound);

  auto pending = compute().PendingDeliveries(10, 0);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].id, "d4");  // soonest first
  EXPECT_EQ((*pending)[1].id, "d3");
  EXPECT_EQ((*pending)[2].id, "d1");
  EXPECT_EQ(compute().PendingDeliveries(1, 0)->size(), 1u);

  auto of_job = compute().DeliveriesOfJob("perlmutter", "7");
  ASSERT_TRUE(of_job);
  ASSERT_EQ(of_job->size(), 2u);
  EXPECT_EQ((*of_job)[0].kind, "email");
  EXPECT_EQ((*of_job)[1].kind, "url");
}

TEST_F(ComputeStoreTest, ADeliveryIsClaimedByOneNodeAtATime) {
  ASSERT_TRUE(*compute().AddDelivery(Delivery("d1", "7", "url", 500)));
  // Two nodes read it as due; the first claim wins, the second finds it taken.
  EXPECT_TRUE(*compute().ClaimDelivery("d1", 1000, 61000));
  EXPECT_FALSE(*compute().ClaimDelivery("d1", 1000, 61000));
  // Held: no node sees it pending until the claim runs out.
  EXPECT_TRUE(compute().PendingDeliveries(10, 60999)->empty());
  ASSERT_EQ(compute().PendingDeliveries(10, 61000)->size(), 1u);
  // Its node died mid-attempt: once the claim ran out another node takes it.
  EXPECT_TRUE(*compute().ClaimDelivery("d1", 61000, 121000));
  // The outcome lets go of the claim: the next attempt is anyone's.
  CallbackDelivery d = *compute().GetDelivery("d1");
  d.attempts = 1;
  d.next_attempt_ms = 2000;
  ASSERT_TRUE(compute().UpdateDelivery(d).ok());
  ASSERT_EQ(compute().PendingDeliveries(10, 1500)->size(), 1u);
  EXPECT_TRUE(*compute().ClaimDelivery("d1", 1500, 61500));
  // An ended delivery is claimed by nobody.
  d.state = "delivered";
  ASSERT_TRUE(compute().UpdateDelivery(d).ok());
  EXPECT_FALSE(*compute().ClaimDelivery("d1", 200000, 260000));
}

TEST_F(ComputeStoreTest, UpdatesOnlyPendingDeliveriesAndSurvivesReopen) {
  ASSERT_TRUE(*compute().AddDelivery(Delivery("d1", "7", "url", 500)));
  CallbackDelivery d = *compute().GetDelivery("d1");
  d.attempts = 2;
  d.next_attempt_ms = 900;
  d.last_error = "answered HTTP 500";
  d.body = "{\"sent_at\":\"x\"}";
  ASSERT_TRUE(compute().UpdateDelivery(d).ok());
  d.state = "delivered";
  d.attempts = 3;
  d.last_error.clear();
  d.delivered_at = Now();
  ASSERT_TRUE(compute().UpdateDelivery(d).ok());
  // An ended delivery stays as it ended.
  CallbackDelivery late = d;
  late.state = "expired";
  late.last_error = "too late";
  ASSERT_TRUE(compute().UpdateDelivery(late).ok());

  Open();
  auto got = compute().GetDelivery("d1");
  ASSERT_TRUE(got) << got.status().message();
  EXPECT_EQ(got->state, "delivered");
  EXPECT_EQ(got->attempts, 3);
  EXPECT_EQ(got->last_error, "");
  EXPECT_EQ(got->delivered_at, d.delivered_at);
  EXPECT_EQ(got->body, "{\"sent_at\":\"x\"}");
  EXPECT_EQ(got->expires_ms, 100000);
  EXPECT_EQ(got->target, "http://127.0.0.1:9/hook");
  EXPECT_TRUE(compute().PendingDeliveries(10, 0)->empty());
}

}  // namespace
}  // namespace sfapid
