#include "backends/runas/open_inside.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backends/runas/file_ops.h"

namespace sfapid::fileops {

namespace {

std::string PathOfFd(int fd) {
  char buf[PATH_MAX];
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

Status OpenError(const std::string& path, int err) {
  const std::string why = path + ": " + std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(why);
  if (err == EACCES || err == EPERM || err == ELOOP) return Status::PermissionDenied(why);
  return Status::Unavailable(why);
}

}  // namespace

Result<OpenedFile> OpenInside(const std::string& path, const std::vector<std::string>& roots,
                              OpenIntent intent) {
  if (Status s = CheckRoots(path, roots); !s.ok()) return s;  // the early, friendly refusal
  // O_NONBLOCK: opening a FIFO must not hang the worker; it is refused below as not regular.
  const int flags = intent == OpenIntent::kRead
                        ? O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK
                        : O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  OpenedFile f{UniqueFd(::open(path.c_str(), flags, 0600)), {}};
  if (!f.fd.valid()) return OpenError(path, errno);
  if (::fstat(f.fd.get(), &f.st) != 0) return OpenError(path, errno);
  if (!S_ISREG(f.st.st_mode)) return Status::InvalidArgument(path + " is not a regular file");
  // The check that counts: where the opened file really is.
  const std::string real = PathOfFd(f.fd.get());
  if (real.empty() || !InsideRoots(real, roots))
    return Status::PermissionDenied(path + " is outside the folders this system exposes");
  ::fcntl(f.fd.get(), F_SETFL, ::fcntl(f.fd.get(), F_GETFL) & ~O_NONBLOCK);
  return f;
}

Status CommitPart(const std::string& part, const std::string& target,
                  const std::vector<std::string>& roots) {
  if (Status s = CheckRoots(part, roots); !s.ok()) return s;
  if (Status s = CheckRoots(target, roots); !s.ok()) return s;
  const mode_t mask = ::umask(022);
  ::umask(mask);
  const int fd = ::open(part.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return OpenError(part, errno);
  const int chmod_result = ::fchmod(fd, 0666 & ~mask);
  const int chmod_errno = errno;
  ::close(fd);
  if (chmod_result != 0) return OpenError(part, chmod_errno);
  if (::rename(part.c_str(), target.c_str()) != 0) return OpenError(target, errno);
  return Status::Ok();
}

Status RemovePart(const std::string& part, const std::vector<std::string>& roots) {
  if (Status s = CheckRoots(part, roots); !s.ok()) return s;
  struct stat st;
  if (::lstat(part.c_str(), &st) != 0) return Status::Ok();
  if (!S_ISREG(st.st_mode)) return Status::Ok();
  if (::unlink(part.c_str()) != 0 && errno != ENOENT) return OpenError(part, errno);
  return Status::Ok();
}

}  // namespace sfapid::fileops
