#include "backends/runas/held_name.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backends/runas/file_ops.h"

namespace sfapid::fileops {

namespace {

constexpr const char* kOutside = " is outside the folders this system exposes";

// openat with magic links (/proc/PID/fd/N, /proc/PID/root) never followed; plain openat where
// the kernel has no openat2 (before 5.6).
int OpenNoMagicLinks(int dir, const std::string& path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  return ::openat(dir, path.c_str(), flags | O_CLOEXEC, mode);
}

Status OsError(const std::string& path, int err, int* os_error) {
  if (os_error) *os_error = err;
  return ErrnoStatus(path, err);
}

Status Outside(const std::string& path, int* os_error) {
  if (os_error) *os_error = 0;
  return Status::PermissionDenied(path + kOutside);
}

std::string Join(const std::string& folder, const std::string& name) {
  if (name == ".") return folder;
  return folder == "/" ? "/" + name : folder + "/" + name;
}

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

Status CheckShape(const std::string& path) {
  if (path.find('\0') != std::string::npos)
    return Status::InvalidArgument("the path contains a NUL byte");
  if (path.empty() || path.front() != '/')
    return Status::InvalidArgument("the path must be absolute");
  return Status::Ok();
}

}  // namespace

Status ErrnoStatus(const std::string& path, int err) {
  const std::string why = path + ": " + std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(why);
  if (err == EACCES || err == EPERM || err == ELOOP || err == EXDEV)
    return Status::PermissionDenied(why);
  if (err == ENAMETOOLONG || err == EFBIG || err == EISDIR) return Status::InvalidArgument(why);
  return Status::Unavailable(why);
}

std::string PathOfFd(int fd) {
  char buf[PATH_MAX];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

bool FdInsideRoots(int fd, const std::vector<std::string>& roots) {
  const std::string real = PathOfFd(fd);
  return !real.empty() && real.front() == '/' && InsideRoots(real, roots);
}

Result<HeldName> HoldName(const std::string& path, const std::vector<std::string>& roots,
                          int* os_error) {
  if (os_error) *os_error = 0;
  if (Status s = CheckShape(path); !s.ok()) return s;
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const size_t slash = trimmed.find_last_of('/');
  const std::string last = trimmed.substr(slash + 1);
  // The path names a folder itself ("/", "x/.", "x/.."): that folder is held, as ".".
  const bool itself = last.empty() || last == "." || last == "..";
  const std::string folder = itself ? trimmed : slash == 0 ? "/" : trimmed.substr(0, slash);
  const std::string name = itself ? std::string(".") : last;
  HeldName held{UniqueFd(OpenNoMagicLinks(AT_FDCWD, folder, O_PATH | O_DIRECTORY, 0)), name, ""};
  if (!held.folder.valid()) return OsError(folder, errno, os_error);
  const std::string real = PathOfFd(held.folder.get());
  if (real.empty() || real.front() != '/') return Outside(path, os_error);
  held.real = Join(real, name);
  if (InsideRoots(held.real, roots)) return held;
  // A root may itself be a symlink (/scratch -> /lustre/scratch): named as such, the folder it
  // leads to is held, when that one is inside.
  UniqueFd linked(OpenNoMagicLinks(held.folder.get(), name, O_PATH | O_DIRECTORY, 0));
  if (name != "." && linked.valid() && FdInsideRoots(linked.get(), roots)) {
    std::string linked_real = PathOfFd(linked.get());
    return HeldName{std::move(linked), ".", std::move(linked_real)};
  }
  return Outside(path, os_error);
}

Result<UniqueFd> HoldFolderMaking(const std::string& folder,
                                  const std::vector<std::string>& roots) {
  if (Status s = CheckShape(folder); !s.ok()) return s;
  const std::vector<std::string> parts = Components(folder);
  // The deepest folder that exists, checked; below it each one is made and entered in turn.
  size_t existing = parts.size();
  UniqueFd at;
  for (;; --existing) {
    std::string prefix;
    for (size_t i = 0; i < existing; ++i) prefix += "/" + parts[i];
    at = UniqueFd(
        OpenNoMagicLinks(AT_FDCWD, prefix.empty() ? "/" : prefix, O_PATH | O_DIRECTORY, 0));
    if (at.valid()) break;
    if (errno != ENOENT || existing == 0) return OsError(prefix, errno, nullptr);
  }
  if (!FdInsideRoots(at.get(), roots)) return Outside(folder, nullptr);
  for (size_t i = existing; i < parts.size(); ++i) {
    if (parts[i] == ".") continue;
    if (parts[i] == "..")
      return Status::InvalidArgument(folder + ": '..' in a folder still to be made");
    if (::mkdirat(at.get(), parts[i].c_str(), 0777) != 0 && errno != EEXIST)
      return OsError(folder, errno, nullptr);
    UniqueFd next(OpenNoMagicLinks(at.get(), parts[i], O_PATH | O_DIRECTORY | O_NOFOLLOW, 0));
    if (!next.valid()) return OsError(folder, errno, nullptr);
    at = std::move(next);
  }
  return at;
}

Result<UniqueFd> OpenFollowing(const HeldName& held, int flags,
                               const std::vector<std::string>& roots, int* os_error) {
  if (os_error) *os_error = 0;
  UniqueFd fd(OpenNoMagicLinks(held.folder.get(), held.name, flags, 0));
  if (!fd.valid()) return OsError(held.real, errno, os_error);
  if (!FdInsideRoots(fd.get(), roots)) return Outside(held.real, os_error);
  return fd;
}

UniqueFd OpenHere(const HeldName& held, int flags, mode_t mode) {
  return UniqueFd(OpenNoMagicLinks(held.folder.get(), held.name, flags | O_NOFOLLOW, mode));
}

UniqueFd MakeTempBeside(const HeldName& held, const std::string& infix, std::string& temp_name) {
  static constexpr char kLetters[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int attempt = 0; attempt < 100; ++attempt) {
    unsigned char random[6];
    if (::getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) break;
    temp_name = "." + held.name + infix;
    for (unsigned char r : random) temp_name += kLetters[r % (sizeof kLetters - 1)];
    UniqueFd fd(OpenNoMagicLinks(held.folder.get(), temp_name,
                                 O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
    if (fd.valid() || errno != EEXIST) return fd;
  }
  return UniqueFd();
}

}  // namespace sfapid::fileops
