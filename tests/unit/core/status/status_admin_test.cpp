// StatusAdmin, what `sfapid status|outage|note` go through, over a real SQLite store: changes are
// checked (known system, valid status, an outage's order) before anything is stored, and the
// status list covers every configured system.
#include "core/status/status_admin.h"

#include <gtest/gtest.h>

#include "support/test_store.h"
#include "support/test_systems.h"

namespace sfapid {
namespace {

class StatusAdminTest : public ::testing::Test {
 protected:
  std::vector<SystemConfig> systems_ = testing::TestSystems();
  testing::TestStore store_;
  StatusAdmin admin_{systems_, store_->status()};
};

TEST_F(StatusAdminTest, SetStatusWithANoteAndListEverySystem) {
  ASSERT_TRUE(admin_.SetStatus("perlmutter", "degraded", "Slow disks", "see the MOTD").ok());
  auto list = admin_.Statuses();
  ASSERT_TRUE(list) << list.status().message();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "perlmutter");
  EXPECT_EQ((*list)[0].status, "degraded");
  EXPECT_EQ((*list)[0].description, "Slow disks");
  EXPECT_TRUE((*list)[0].updated_at.has_value());
  EXPECT_EQ((*list)[1].name, "dtns");
  EXPECT_EQ((*list)[1].status, "active");
  EXPECT_FALSE((*list)[1].updated_at.has_value());
  auto notes = admin_.Notes("perlmutter");
  ASSERT_TRUE(notes);
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].notes, "see the MOTD");
  EXPECT_TRUE((*notes)[0].active);

  ASSERT_TRUE(admin_.ClearStatus("perlmutter").ok());
  EXPECT_EQ(admin_.Statuses()->at(0).status, "active");
}

TEST_F(StatusAdminTest, UnknownSystemsAndStatusesAreRefusedAndNothingIsStored) {
  Status unknown = admin_.SetStatus("cori", "active", "", "note");
  EXPECT_EQ(unknown.code(), Code::kNotFound);
  EXPECT_EQ(unknown.message(), "unknown system 'cori'; known systems: perlmutter, dtns, spin");
  Status bad = admin_.SetStatus("perlmutter", "broken", "", "note");
  EXPECT_EQ(bad.message(), "status 'broken' must be active, degraded, unavailable or other");
  EXPECT_EQ(admin_.Notes("cori").status().code(), Code::kNotFound);
  EXPECT_TRUE(admin_.Notes("")->empty());
  auto statuses = admin_.Statuses();
  ASSERT_TRUE(statuses);
  for (const auto& s : *statuses) EXPECT_FALSE(s.updated_at.has_value()) << s.name;
  EXPECT_EQ(admin_.AddNote("perlmutter", "", true).status().message(),
            "the note text must not be empty");
}

TEST_F(StatusAdminTest, OutagesAreCheckedStoredListedAndRemoved) {
  const TimePoint start = Now();
  OutageRecord backwards{0, "perlmutter", start, start - std::chrono::hours(1), "Maintenance"};
  EXPECT_EQ(admin_.AddOutage(backwards).status().code(), Code::kInvalidArgument);
  OutageRecord ok{0, "perlmutter", start, start + std::chrono::hours(1), "Maintenance"};
  ok.swo = "true";
  auto id = admin_.AddOutage(ok);
  ASSERT_TRUE(id) << id.status().message();
  auto listed = admin_.Outages("perlmutter");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, *id);
  EXPECT_EQ((*listed)[0].description, "Maintenance");
  EXPECT_TRUE(admin_.Outages("dtns")->empty());
  ASSERT_TRUE(admin_.RemoveOutage(*id).ok());
  EXPECT_TRUE(admin_.Outages("")->empty());
}

}  // namespace
}  // namespace sfapid
