// ProcessCgroup (as root, with cgroup v2; skipped otherwise): a process that leaves its group
// with setsid is still reached through the cgroup; Existing accepts only sfapid's cgroups; the
// cgroups of a server that is gone are ended and removed, a live server's are left alone.
#include "util/process_cgroup.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace sfapid {
namespace {

bool Gone(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// A child in `cgroup` that leaves its session and sleeps.
pid_t SleeperIn(const ProcessCgroup& cgroup) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    cgroup.Enter();
    ::setsid();
    ::pause();
    ::_exit(0);
  }
  return pid;
}

pid_t DeadPid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

TEST(ProcessCgroup, ExistingTakesOnlySfapidsOwnCgroups) {
  EXPECT_FALSE(ProcessCgroup::Existing("/sys/fs/cgroup").usable());
  EXPECT_FALSE(ProcessCgroup::Existing("/tmp").usable());
  EXPECT_FALSE(ProcessCgroup::Existing("").usable());
  const ProcessCgroup made = ProcessCgroup::Create("unit-existing-" + std::to_string(::getpid()));
  if (!made.usable()) GTEST_SKIP() << "needs root and a writable cgroup v2";
  EXPECT_EQ(ProcessCgroup::Existing(made.path()).path(), made.path());
  EXPECT_FALSE(ProcessCgroup::Existing(made.path() + "/../..").usable());
  made.KillAndRemove();
  EXPECT_FALSE(ProcessCgroup::Existing(made.path()).usable());
}

TEST(ProcessCgroup, TheCgroupsOfAServerThatIsGoneAreEnded) {
  const pid_t dead = DeadPid();
  const ProcessCgroup orphan = ProcessCgroup::Create("unit-" + std::to_string(dead) + "-1");
  if (!orphan.usable()) GTEST_SKIP() << "needs root and a writable cgroup v2";
  const ProcessCgroup mine = ProcessCgroup::Create("unit-" + std::to_string(::getpid()) + "-1");
  const pid_t left = SleeperIn(orphan), kept = SleeperIn(mine);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // in, and out of its group
  EXPECT_EQ(ProcessCgroup::EndOrphans("unit-"), 1);
  EXPECT_TRUE(Gone(left));
  EXPECT_FALSE(Exists(orphan.path()));
  EXPECT_TRUE(Exists(mine.path()));
  EXPECT_EQ(::waitpid(kept, nullptr, WNOHANG), 0) << "a live server's command was ended";
  mine.KillAndRemove();
  EXPECT_TRUE(Gone(kept));
  EXPECT_FALSE(Exists(mine.path()));
}

}  // namespace
}  // namespace sfapid
