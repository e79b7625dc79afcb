#include "cmd/key_file.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "backends/runas/drop_privileges.h"
#include "backends/runas/unix_identity.h"

namespace sfapid::cmd {

namespace {

// mkdir -p with mode 0700 for what it creates: a key folder is nobody else's business.
Status CreateFolders(const std::string& dir) {
  std::filesystem::path so_far;
  for (const auto& part : std::filesystem::path(dir).lexically_normal()) {
    so_far /= part;
    if (::mkdir(so_far.c_str(), 0700) != 0 && errno != EEXIST)
      return Status::PermissionDenied("cannot create folder " + so_far.string() + ": " +
                                      std::strerror(errno));
  }
  return Status::Ok();
}

// `owner`: as root, the account the file is handed to (uid, gid); null to keep it ours.
Status CreateFile(const std::string& path, const std::string& text, const passwd* owner = nullptr) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return Status::AlreadyExists(errno == EEXIST
                                     ? path + " exists; remove it or choose another --out"
                                     : "cannot create " + path + ": " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (owner) (void)::fchown(fd, owner->pw_uid, owner->pw_gid);
  ::close(fd);
  return ok ? Status::Ok() : Status::Unavailable("cannot write " + path);
}

Status CreateAll(const std::string& dir, const std::string& path, const std::string& text) {
  if (!dir.empty())
    if (Status s = CreateFolders(dir); !s.ok()) return s;
  return CreateFile(path, text);
}

// Runs CreateAll in a child that has dropped to `account`; its error message comes back on a pipe.
Status CreateAllAs(const passwd& account, const std::string& dir, const std::string& path,
                   const std::string& text) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) return Status::Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    ::umask(077);
    Status s = DropPrivileges(account);
    if (s.ok()) s = CreateAll(dir, path, text);
    const std::string& m = s.message();
    if (!s.ok()) (void)!::write(fds[1], m.data(), m.size());
    ::_exit(s.ok() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string message;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);)
    if (n > 0) message.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::Ok();
  return Status::PermissionDenied((message.empty() ? "could not write the key file" : message) +
                                  " (as " + account.pw_name + ", the account the client is for)");
}

}  // namespace

Status WriteKeyFile(const RunAsConfig& runas, const std::string& api_user,
                    const std::string& create_dir, const std::string& path,
                    const std::string& text) {
  if (::geteuid() == 0) {
    // An API user without an account sfapid may act as (none, root, a system account) gets a file
    // owned by the operator, who hands it over.
    if (auto id = UserMap(runas).Resolve(api_user); id.ok()) {
      std::vector<char> buf(16384);
      passwd pw{};
      passwd* found = nullptr;
      if (::getpwnam_r(id->account.c_str(), &pw, buf.data(), buf.size(), &found) == 0 && found)
        return create_dir.empty() ? CreateFile(path, text, found)
                                  : CreateAllAs(*found, create_dir, path, text);
    }
  }
  return CreateAll(create_dir, path, text);
}

}  // namespace sfapid::cmd
