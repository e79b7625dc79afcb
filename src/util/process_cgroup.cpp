#include "util/process_cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace sfapid {

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

ProcessCgroup ProcessCgroup::Create(const std::string& name) {
  ProcessCgroup g;
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

ProcessCgroup ProcessCgroup::Existing(const std::string& path) {
  ProcessCgroup g;
  const std::string root = Root();
  const std::string parent = root + "/sfapid/";
  if (root.empty() || path.size() <= parent.size() || path.compare(0, parent.size(), parent) != 0 ||
      path.find('/', parent.size()) != std::string::npos || path.find("..") != std::string::npos)
    return g;
  if (Exists(path + "/cgroup.procs")) g.path_ = path;
  return g;
}

int ProcessCgroup::EndOrphans(const std::string& prefix) {
  const std::string root = Root();
  if (root.empty() || ::geteuid() != 0) return 0;
  const std::string parent = root + "/sfapid";
  DIR* dir = ::opendir(parent.c_str());
  if (!dir) return 0;
  std::vector<std::string> orphans;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      orphans.push_back(parent + "/" + name);
  }
  ::closedir(dir);
  for (const std::string& path : orphans) Existing(path).KillAndRemove();
  return static_cast<int>(orphans.size());
}

bool ProcessCgroup::Enter() const { return usable() && WriteFile(path_ + "/cgroup.procs", "0"); }

void ProcessCgroup::Signal(int signal) const {
  if (!usable()) return;
  std::istringstream pids(ReadFile(path_ + "/cgroup.procs"));
  for (pid_t pid; pids >> pid;) ::kill(pid, signal);
}

void ProcessCgroup::KillAndRemove() const {
  if (!usable()) return;
  // cgroup.kill (Linux 5.14) kills atomically, also processes forking meanwhile.
  if (!WriteFile(path_ + "/cgroup.kill", "1")) Signal(SIGKILL);
  for (int i = 0; i < 100; ++i) {
    if (ReadFile(path_ + "/cgroup.events").find("populated 0") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::rmdir(path_.c_str());
}

}  // namespace sfapid
