#include "core/accounts/group_directory.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "util/spawn.h"

namespace sfapid {

namespace {

// Runs a shadow tool with a clean environment and returns its exit status and what it printed.
// These tools finish in milliseconds (they only lock and rewrite /etc/group), so a plain wait is
// enough.
Status RunTool(const std::vector<std::string>& argv) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::Unavailable(std::strerror(errno));
  auto pid = Spawn({.argv = argv,
                    .env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
                    .stdout_fd = out[1],
                    .stderr_fd = out[1]});
  ::close(out[1]);
  if (!pid) {
    ::close(out[0]);
    return pid.status();
  }
  std::string output;
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n > 0 && output.size() < 4096) output.append(buf, static_cast<size_t>(n));
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  ::close(out[0]);
  int wstatus = 0;
  while (::waitpid(*pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::Ok();
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return Status::Unavailable(argv[0] + " failed" + (output.empty() ? "" : ": " + output));
}

std::vector<char> Buffer() { return std::vector<char>(65536); }

}  // namespace

std::optional<gid_t> UnixGroupDirectory::GidOf(const std::string& name) const {
  group g{};
  group* found = nullptr;
  auto buf = Buffer();
  if (::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  return found->gr_gid;
}

bool UnixGroupDirectory::GidInUse(gid_t gid) const {
  group g{};
  group* found = nullptr;
  auto buf = Buffer();
  return ::getgrgid_r(gid, &g, buf.data(), buf.size(), &found) == 0 && found;
}

std::optional<std::vector<std::string>> UnixGroupDirectory::MembersOf(
    const std::string& name) const {
  group g{};
  group* found = nullptr;
  auto buf = Buffer();
  if (::getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  std::vector<std::string> members;
  for (char** m = found->gr_mem; m && *m; ++m) members.emplace_back(*m);
  return members;
}

Status UnixGroupDirectory::Create(const std::string& name, gid_t gid) {
  return RunTool({"/usr/sbin/groupadd", "-g", std::to_string(gid), name});
}

Status UnixGroupDirectory::SetMembers(const std::string& name,
                                      const std::vector<std::string>& accounts) {
  // gpasswd -M replaces the whole list: the group ends up exactly as the store says, whatever it
  // was before (which keeps the two in step after a crash between them).
  std::string list;
  for (const auto& a : accounts) list += (list.empty() ? "" : ",") + a;
  return RunTool({"/usr/bin/gpasswd", "-M", list, name});
}

Status UnixGroupDirectory::Remove(const std::string& name) {
  return RunTool({"/usr/sbin/groupdel", name});
}

}  // namespace sfapid
