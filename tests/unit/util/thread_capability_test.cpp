// One capability lowered for the calling thread alone while a piece of work runs, then raised
// again; other threads keep theirs. (CAP_CHOWN stands in for CAP_SYS_RESOURCE, which some
// containers do not grant even to root.)
#include "util/thread_capability.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <unistd.h>

#include <future>

namespace sfapid {
namespace {

TEST(WithoutCapability, LowersItForThisThreadOnlyAndRaisesItAgain) {
  if (!WithoutCapability::InEffect(CAP_CHOWN)) GTEST_SKIP() << "needs root with CAP_CHOWN";
  // Started before the lowering (a new thread would inherit its creator's set).
  std::promise<void> lowered_now;
  std::future<bool> other_thread_has_it = std::async(std::launch::async, [&] {
    lowered_now.get_future().wait();
    return WithoutCapability::InEffect(CAP_CHOWN);
  });
  {
    const WithoutCapability lowered(CAP_CHOWN);
    EXPECT_FALSE(WithoutCapability::InEffect(CAP_CHOWN));
    lowered_now.set_value();
    EXPECT_TRUE(other_thread_has_it.get());
  }
  EXPECT_TRUE(WithoutCapability::InEffect(CAP_CHOWN));
}

TEST(WithoutCapability, WhatTheThreadDoesNotHaveIsLeftAlone) {
  if (!WithoutCapability::InEffect(CAP_CHOWN)) GTEST_SKIP() << "needs root with CAP_CHOWN";
  {
    const WithoutCapability outer(CAP_CHOWN);
    { const WithoutCapability inner(CAP_CHOWN); }  // had nothing to lower: raises nothing
    EXPECT_FALSE(WithoutCapability::InEffect(CAP_CHOWN));
  }
  EXPECT_TRUE(WithoutCapability::InEffect(CAP_CHOWN));
}

}  // namespace
}  // namespace sfapid
