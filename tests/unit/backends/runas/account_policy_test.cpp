#include "backends/runas/account_policy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace sfapid {
namespace {

TEST(AccountPolicy, ReadsTheLoginRangeFromLoginDefs) {
  const std::string path = ::testing::TempDir() + "/login.defs";
  std::ofstream(path) << "# comment UID_MIN 5\nUID_MIN\t\t 2000\nUID_MAX 50000\nSYS_UID_MAX 999\n";
  const auto range = ReadLoginUidRange(path);
  EXPECT_EQ(range.min, 2000u);
  EXPECT_EQ(range.max, 50000u);
  std::remove(path.c_str());
  const auto fallback = ReadLoginUidRange("/nonexistent/login.defs");
  EXPECT_EQ(fallback.min, 1000u);
  EXPECT_EQ(fallback.max, 60000u);
}

TEST(AccountPolicy, OnlyOrdinaryLoginAccountsPass) {
  RunAsConfig config;
  config.min_uid = 1000;
  config.max_uid = 60000;
  const AccountPolicy policy(config);
  EXPECT_FALSE(policy.Refusal("alice", 1001, "/bin/bash"));
  EXPECT_FALSE(policy.Refusal("alice", 1001, ""));  // empty: /bin/sh
  EXPECT_TRUE(policy.Refusal("root", 0, "/bin/bash"));
  EXPECT_TRUE(policy.Refusal("daemon", 1, "/usr/sbin/nologin"));
  EXPECT_TRUE(policy.Refusal("slurm", 64030, "/bin/false"));
  EXPECT_TRUE(policy.Refusal("slurm", 64030, "/bin/bash"));  // the uid alone refuses it
  EXPECT_TRUE(policy.Refusal("nobody", 65534, "/bin/sh"));
  EXPECT_TRUE(policy.Refusal("svc", 1500, "/usr/sbin/nologin"));
  EXPECT_TRUE(policy.Refusal("svc", 1500, "/bin/false"));
  config.deny_accounts = {"ops"};
  EXPECT_TRUE(AccountPolicy(config).Refusal("ops", 1500, "/bin/bash"));
  config.login_shell_required = false;
  EXPECT_FALSE(AccountPolicy(config).Refusal("svc", 1500, "/usr/sbin/nologin"));
}

}  // namespace
}  // namespace sfapid
