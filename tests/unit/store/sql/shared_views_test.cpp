// Scheduler views shared by nodes on one store (SQLite, or PostgreSQL under tests/run-on-postgres):
// one claim to refresh at a time, the minimum interval across nodes, claims that end by themselves,
// only newer views kept, and per-user change marks.
#include <gtest/gtest.h>

#include <optional>

#include "support/test_store.h"

namespace sfapid {
namespace {

constexpr int64_t kT = 1'800'000'000'000;  // some Unix ms
const std::string kKey = "slurm/perlmutter/queue";

class SharedViewsTest : public ::testing::Test {
 protected:
  SharedViews& views() { return store_->views(); }
  // A claim for a reader that needs a view taken at or after `now` (or `need`).
  bool Claim(const std::string& node, int64_t now, int64_t until, int64_t min_interval = 0,
             std::optional<int64_t> need = std::nullopt) {
    auto claimed = views().ClaimRefresh(kKey, node, now, until, min_interval, need.value_or(now));
    EXPECT_TRUE(claimed) << claimed.status().message();
    return claimed && *claimed;
  }
  std::optional<SharedView> Read(int64_t not_before) {
    auto view = views().ReadView(kKey, not_before);
    EXPECT_TRUE(view) << view.status().message();
    return view ? *view : std::nullopt;
  }

  testing::TestStore store_;
};

TEST_F(SharedViewsTest, NothingIsSavedBeforeTheFirstRefresh) {
  EXPECT_FALSE(Read(0));
  ASSERT_TRUE(Claim("a", kT, kT + 1000));
  EXPECT_FALSE(Read(0)) << "a claim is not a view";
}

TEST_F(SharedViewsTest, OneNodeAtATimeHoldsTheClaimUntilItSavesOrItEnds) {
  ASSERT_TRUE(Claim("a", kT, kT + 1000));
  EXPECT_FALSE(Claim("b", kT + 10, kT + 1010));
  EXPECT_FALSE(Claim("a", kT + 10, kT + 1010)) << "not even the holder claims twice";
  ASSERT_TRUE(views().SaveView(kKey, "a", {kT, "[1]"}).ok());
  EXPECT_TRUE(Claim("b", kT + 20, kT + 1020)) << "saving let the claim go";
  // b dies holding it: its claim ends by itself.
  EXPECT_FALSE(Claim("c", kT + 1019, kT + 2000));
  EXPECT_TRUE(Claim("c", kT + 1020, kT + 2000));
}

TEST_F(SharedViewsTest, RefreshesStartAtLeastTheMinimumIntervalApartWhoeverAsks) {
  ASSERT_TRUE(Claim("a", kT, kT + 5000, 250));
  ASSERT_TRUE(views().ReleaseRefresh(kKey, "a").ok());  // the squeue failed
  EXPECT_FALSE(Claim("b", kT + 249, kT + 5000, 250));
  EXPECT_TRUE(Claim("b", kT + 250, kT + 5000, 250));
}

TEST_F(SharedViewsTest, AReadSeesOnlyAViewTakenAtOrAfterWhatItAsks) {
  ASSERT_TRUE(Claim("a", kT, kT + 1000));
  ASSERT_TRUE(views().SaveView(kKey, "a", {kT, "first"}).ok());
  EXPECT_EQ(Read(kT)->data, "first");
  EXPECT_EQ(Read(kT - 5)->taken_ms, kT);
  EXPECT_FALSE(Read(kT + 1));
}

TEST_F(SharedViewsTest, AnOlderViewSavedLateDoesNotReplaceANewerOne) {
  ASSERT_TRUE(Claim("a", kT, kT + 100));
  ASSERT_TRUE(Claim("b", kT + 100, kT + 1000));  // a was too slow
  ASSERT_TRUE(views().SaveView(kKey, "b", {kT + 100, "newer"}).ok());
  ASSERT_TRUE(views().SaveView(kKey, "a", {kT, "older"}).ok());
  EXPECT_EQ(Read(0)->data, "newer");
  EXPECT_EQ(Read(0)->taken_ms, kT + 100);
}

TEST_F(SharedViewsTest, ALateSaveDoesNotEndAnotherNodesClaim) {
  ASSERT_TRUE(Claim("a", kT, kT + 100));
  ASSERT_TRUE(Claim("b", kT + 100, kT + 1000));
  ASSERT_TRUE(views().SaveView(kKey, "a", {kT, "older"}).ok());
  ASSERT_TRUE(views().ReleaseRefresh(kKey, "a").ok());
  EXPECT_FALSE(Claim("c", kT + 200, kT + 1200)) << "b still holds it";
}

TEST_F(SharedViewsTest, NoClaimWhenTheViewTheReaderNeedsWasSavedMeanwhile) {
  // b looked (no view yet), then a saved one taken after what b needs: b must read it instead.
  ASSERT_TRUE(Claim("a", kT, kT + 1000));
  ASSERT_TRUE(views().SaveView(kKey, "a", {kT + 5, "a's"}).ok());
  EXPECT_FALSE(Claim("b", kT + 10, kT + 1010, 0, kT));
  EXPECT_TRUE(Claim("b", kT + 10, kT + 1010, 0, kT + 6)) << "a newer need may refresh";
}

TEST_F(SharedViewsTest, ViewsOfOtherKeysAreApart) {
  ASSERT_TRUE(Claim("a", kT, kT + 1000));
  auto other = views().ClaimRefresh("slurm/muller/queue", "b", kT, kT + 1000, 0, kT);
  ASSERT_TRUE(other);
  EXPECT_TRUE(*other);
  ASSERT_TRUE(views().SaveView("slurm/muller/queue", "b", {kT, "muller"}).ok());
  EXPECT_FALSE(Read(0));
}

TEST_F(SharedViewsTest, AUsersLastChangeIsTheLatestNotedAndZeroBeforeAny) {
  EXPECT_EQ(*views().LastChange(kKey, "alice"), 0);
  ASSERT_TRUE(views().NoteChange(kKey, "alice", kT + 50).ok());
  ASSERT_TRUE(views().NoteChange(kKey, "alice", kT).ok());  // a slower node's earlier change
  ASSERT_TRUE(views().NoteChange(kKey, "bob", kT + 70).ok());
  EXPECT_EQ(*views().LastChange(kKey, "alice"), kT + 50);
  EXPECT_EQ(*views().LastChange(kKey, "bob"), kT + 70);
  EXPECT_EQ(*views().LastChange("slurm/muller/queue", "alice"), 0);
}

}  // namespace
}  // namespace sfapid
