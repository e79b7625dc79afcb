// A job's folder tells a restarted scheduler what an earlier launch did: nothing (launch), a
// supervisor still running or one that let the job start and ended (adopt, never run twice), or
// one starting up (wait), also before it has run a line of its own. A second supervisor never
// takes a folder another holds.
#include "backends/scheduler/local/launch_record.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace sfapid::local {
namespace {

class LaunchRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/launch-record-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A launch as LaunchJob does it: the lock taken here, a supervisor stand-in in a child process
  // that claims the folder with it (and marks the job started if asked), tells us, then waits to
  // be killed or exits at once.
  pid_t Supervisor(bool mark_started, bool stay) {
    UniqueFd lock = HoldLaunchLock(dir_);
    return SupervisorWith(lock.get(), mark_started, stay);
  }
  pid_t SupervisorWith(int lock_fd, bool mark_started, bool stay) {
    int ready[2];
    EXPECT_EQ(::pipe(ready), 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
      const bool claimed = lock_fd >= 0 && ClaimLaunch(dir_, lock_fd);
      if (claimed && mark_started) MarkJobStarted(dir_);
      const char c = claimed ? 'y' : 'n';
      (void)!::write(ready[1], &c, 1);
      if (stay) ::pause();
      ::_exit(0);
    }
    ::close(ready[1]);
    char c = 0;
    EXPECT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    claimed_ = c == 'y';
    return pid;
  }
  static void End(pid_t pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  std::string dir_;
  bool claimed_ = false;
};

TEST_F(LaunchRecordTest, AFolderNoSupervisorClaimedIsLaunched) {
  EXPECT_EQ(FindEarlierLaunch(dir_).kind, EarlierLaunch::kNone);
  EXPECT_EQ(FindEarlierLaunch(dir_ + "/missing").kind, EarlierLaunch::kNone);
}

TEST_F(LaunchRecordTest, ARunningSupervisorIsAdoptedAndASecondOneRefused) {
  const pid_t first = Supervisor(/*mark_started=*/true, /*stay=*/true);
  ASSERT_TRUE(claimed_);
  const EarlierLaunch found = FindEarlierLaunch(dir_);
  EXPECT_EQ(found.kind, EarlierLaunch::kAdopt);
  EXPECT_EQ(found.supervisor, first);
  EXPECT_FALSE(HoldLaunchLock(dir_).valid());  // no second launch while the first holds it
  const UniqueFd stray(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const pid_t second = SupervisorWith(stray.get(), true, false);
  EXPECT_FALSE(claimed_);  // the job is the first one's
  ::waitpid(second, nullptr, 0);
  End(first);
}

// The crash test's double run: sfapid killed after starting a supervisor that had not yet run
// (the binary takes tens of milliseconds to start here). The launch lock it inherited is held
// all along, so the restarted scheduler waits for it instead of launching the job again.
TEST_F(LaunchRecordTest, ASupervisorNotYetStartedIsWaitedForNotRelaunched) {
  UniqueFd lock = HoldLaunchLock(dir_);
  ASSERT_TRUE(lock.valid());
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {  // inherits the lock; claims only when told
    ::close(go[1]);
    char c = 0;
    if (::read(go[0], &c, 1) != 1) ::_exit(2);
    ::_exit(ClaimLaunch(dir_, lock.get()) ? 0 : 1);
  }
  ::close(go[0]);
  lock = UniqueFd();  // the launcher is gone
  EXPECT_EQ(FindEarlierLaunch(dir_).kind, EarlierLaunch::kWait);
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  ::close(go[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);  // the launch was its own
}

TEST_F(LaunchRecordTest, ALauncherThatDiedBeforeStartingASupervisorLeavesItToBeLaunched) {
  ASSERT_TRUE(HoldLaunchLock(dir_).valid());  // taken and let go, as by a killed sfapid
  EXPECT_EQ(FindEarlierLaunch(dir_).kind, EarlierLaunch::kNone);
}

TEST_F(LaunchRecordTest, ASupervisorThatLetTheJobStartAndEndedIsAdoptedNotRelaunched) {
  const pid_t pid = Supervisor(/*mark_started=*/true, /*stay=*/false);
  ::waitpid(pid, nullptr, 0);
  const EarlierLaunch found = FindEarlierLaunch(dir_);
  EXPECT_EQ(found.kind, EarlierLaunch::kAdopt);
  EXPECT_EQ(found.supervisor, pid);
}

TEST_F(LaunchRecordTest, ASupervisorThatEndedBeforeTheJobStartedLeavesItToBeLaunched) {
  const pid_t pid = Supervisor(/*mark_started=*/false, /*stay=*/false);
  ::waitpid(pid, nullptr, 0);
  EXPECT_EQ(FindEarlierLaunch(dir_).kind, EarlierLaunch::kNone);
}

}  // namespace
}  // namespace sfapid::local
