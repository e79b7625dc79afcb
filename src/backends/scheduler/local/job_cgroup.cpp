#include "backends/scheduler/local/job_cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace sfapid::local {

namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The cgroup v2 hierarchy: the whole of /sys/fs/cgroup, or its "unified" part on hybrid hosts.
std::string Root() {
  for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"})
    if (Exists(std::string(root) + "/cgroup.controllers")) return root;
  return "";
}

bool WriteFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

JobCgroup JobCgroup::Create(const std::string& name) {
  JobCgroup g;
  if (::geteuid() != 0) return g;
  const std::string root = Root();
  if (root.empty()) return g;
  const std::string parent = root + "/sfapid";
  ::mkdir(parent.c_str(), 0755);
  const std::string path = parent + "/" + name;
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return g;
  g.path_ = path;
  return g;
}

bool JobCgroup::Enter() const { return usable() && WriteFile(path_ + "/cgroup.procs", "0"); }

void JobCgroup::Signal(int signal) const {
  if (!usable()) return;
  std::istringstream pids(ReadFile(path_ + "/cgroup.procs"));
  for (pid_t pid; pids >> pid;) ::kill(pid, signal);
}

void JobCgroup::KillAndRemove() const {
  if (!usable()) return;
  // cgroup.kill (Linux 5.14) kills atomically, also processes forking meanwhile.
  if (!WriteFile(path_ + "/cgroup.kill", "1")) Signal(SIGKILL);
  for (int i = 0; i < 100; ++i) {
    if (ReadFile(path_ + "/cgroup.events").find("populated 0") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::rmdir(path_.c_str());
}

}  // namespace sfapid::local
