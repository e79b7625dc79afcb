// SpawnAsUser (as root; skipped otherwise): the program runs with exactly the uid, gid and groups
// asked for, in the folder asked for, with none of the server's descriptors, no blocked or
// ignored signals, in its own session and in the cgroup given; a failed step is reported and
// leaves no process; root is refused.
#include "backends/runas/spawn_as_user.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "util/process_cgroup.h"

namespace sfapid {
namespace {

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

struct Ran {
  int exit_code = -1;
  std::string out, err;
};

// Runs `script` under /bin/sh as nobody and collects what it wrote.
Ran RunAsNobody(const std::string& script, UserSpawn spec = {}) {
  int out[2], err[2];
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
  spec.uid = kNobody;
  spec.gid = kNogroup;
  if (spec.argv.empty()) spec.argv = {"/bin/sh", "-c", script};
  if (spec.env.empty()) spec.env = {"PATH=/usr/bin:/bin"};
  if (spec.cwd.empty()) spec.cwd = "/tmp";
  spec.stdout_fd = out[1];
  spec.stderr_fd = err[1];
  auto pid = SpawnAsUser(spec);
  ::close(out[1]);
  ::close(err[1]);
  Ran ran;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) ran.out.append(buf, n);
  for (ssize_t n; (n = ::read(err[0], buf, sizeof buf)) > 0;) ran.err.append(buf, n);
  ::close(out[0]);
  ::close(err[0]);
  if (!pid) {
    ran.err = pid.status().message();
    return ran;
  }
  int status = 0;
  ::waitpid(*pid, &status, 0);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return ran;
}

class SpawnAsUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "changing credentials needs root";
  }
};

TEST_F(SpawnAsUserTest, RunsWithExactlyTheCredentialsAskedFor) {
  const Ran ran = RunAsNobody("id -u; id -g; id -G; cat /proc/self/status | grep -E '^(Uid|Gid)'",
                              {.groups = {kNogroup, 100}});
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.out,
            "65534\n65534\n65534 100\nUid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t"
            "65534\n");
}

TEST_F(SpawnAsUserTest, TakesNothingOfTheServersBeyondWhatItIsGiven) {
  const int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec
  ASSERT_GE(leaked, 3);
  // A signal the server blocks or ignores must not stay blocked or ignored for the program.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &block, &old);
  auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
  // Signal 32 is glibc's own (sigaction refuses it); one that came ignored must not stay so.
  const uint64_t ignore_action[4] = {reinterpret_cast<uint64_t>(SIG_IGN), 0, 0, 0};
  uint64_t old_32[4] = {};
  ::syscall(SYS_rt_sigaction, 32, ignore_action, old_32, sizeof(uint64_t));
  const Ran ran = RunAsNobody(
      "ls /proc/self/fd | tr '\\n' ' '; grep -E '^Sig(Blk|Ign)' /proc/self/status; "
      "pwd; [ \"$(ps -o sid= -p $$)\" -eq $$ ] && echo own-session");
  ::signal(SIGPIPE, old_pipe);
  ::syscall(SYS_rt_sigaction, 32, old_32, nullptr, sizeof(uint64_t));
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::close(leaked);
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  // 0-2 and the descriptor ls reads the folder with.
  EXPECT_EQ(ran.out,
            "0 1 2 3 SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n/tmp\nown-session\n");
}

TEST_F(SpawnAsUserTest, EntersTheCgroupGiven) {
  const ProcessCgroup cgroup = ProcessCgroup::Create("spawn-test-" + std::to_string(::getpid()));
  if (cgroup.path().empty()) GTEST_SKIP() << "no cgroup v2";
  const int procs = ::open((cgroup.path() + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(procs, 0);
  const Ran ran = RunAsNobody("cat /proc/self/cgroup", {.cgroup_procs_fd = procs});
  ::close(procs);
  cgroup.KillAndRemove();
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_NE(ran.out.find("spawn-test-" + std::to_string(::getpid())), std::string::npos) << ran.out;
}

TEST_F(SpawnAsUserTest, AFolderItCannotEnterFailsTheStartWhenRequired) {
  // /root is closed to nobody: entered as the user, not as the server.
  Ran ran = RunAsNobody("pwd", {.cwd = "/root", .cwd_required = true});
  EXPECT_EQ(ran.exit_code, -1);
  EXPECT_EQ(ran.err, "cannot enter /root: Permission denied");
  ran = RunAsNobody("pwd", {.cwd = "/root"});
  EXPECT_EQ(ran.exit_code, 0);
  EXPECT_EQ(ran.out, "/\n");  // not required: the root folder instead
}

// Another process's working folder, reached through /proc/<pid>/cwd, is only entered where the
// user could follow that link: a root process sits in a folder behind a 0700 parent, and a start
// as nobody that names its cwd link is refused (entered with root's CAP_SYS_PTRACE still in
// effect, it once went in).
TEST_F(SpawnAsUserTest, AnotherProcesssFolderIsNotEnteredThroughItsProcLink) {
  char tmpl[] = "/tmp/spawn-closed-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);  // 0700, root's
  const std::string closed = tmpl, inner = closed + "/inner";
  ASSERT_EQ(::mkdir(inner.c_str(), 0755), 0);
  const pid_t sitter = ::fork();
  if (sitter == 0) {
    if (::chdir(inner.c_str()) != 0) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  ASSERT_GT(sitter, 0);
  const std::string link = "/proc/" + std::to_string(sitter) + "/cwd";
  char target[256] = {};
  while (::readlink(link.c_str(), target, sizeof target - 1) <= 0 || inner != target)
    ::usleep(1000);  // the sitter is in its folder
  const Ran ran = RunAsNobody("pwd", {.cwd = link, .cwd_required = true});
  ::kill(sitter, SIGKILL);
  ::waitpid(sitter, nullptr, 0);
  ::rmdir(inner.c_str());
  ::rmdir(closed.c_str());
  EXPECT_EQ(ran.exit_code, -1) << ran.out;
  EXPECT_EQ(ran.err, "cannot enter " + link + ": Permission denied");
}

TEST_F(SpawnAsUserTest, AProgramThatCannotRunIsReported) {
  const Ran ran = RunAsNobody("", {.argv = {"/nonexistent/program"}});
  EXPECT_EQ(ran.exit_code, -1);
  EXPECT_EQ(ran.err, "cannot run /nonexistent/program: No such file or directory");
}

TEST_F(SpawnAsUserTest, RunsTheProgramNamedWithTheArgvGiven) {
  // A command's $0 is "bash", as from a shell, while /bin/bash is what runs.
  const Ran ran = RunAsNobody("", {.program = "/bin/sh", .argv = {"bash", "-c", "echo $0"}});
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.out, "bash\n");
}

TEST_F(SpawnAsUserTest, RefusesRoot) {
  auto pid = SpawnAsUser({.uid = 0, .gid = 0, .argv = {"/bin/true"}});
  ASSERT_FALSE(pid);
  EXPECT_EQ(pid.status().code(), Code::kPermissionDenied);
}

TEST(GroupsOfTest, ListsTheAccountsGroupsWithItsOwn) {
  auto groups = GroupsOf("root", 0);
  ASSERT_TRUE(groups) << groups.status().message();
  EXPECT_NE(std::find(groups->begin(), groups->end(), 0u), groups->end());
  EXPECT_FALSE(GroupsOf("no-such-account-sfapid", 12345)->empty());  // its own gid at least
}

}  // namespace
}  // namespace sfapid
