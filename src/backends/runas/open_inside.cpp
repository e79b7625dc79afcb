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
  if (err == ENAMETOOLONG || err == EFBIG || err == EISDIR) return Status::InvalidArgument(why);
  return Status::Unavailable(why);
}

// A part file is only ever the regular file this user's worker made for the upload: a FIFO, a
// hard link to another file, or a file someone else made under that name is refused.
Status CheckPart(const std::string& path, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(path + " is not a regular file");
  if (st.st_uid != ::geteuid() || st.st_nlink != 1)
    return Status::PermissionDenied(path + " is no longer the upload's own part file");
  return Status::Ok();
}

int FlagsFor(OpenIntent intent) {
  // O_NONBLOCK: opening a FIFO must not hang the worker; it is refused as not regular.
  constexpr int kAlways = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  switch (intent) {
    case OpenIntent::kRead:
      return O_RDONLY | kAlways;
    case OpenIntent::kNewPart:
      return O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | kAlways;
    case OpenIntent::kPart:
      return O_RDWR | O_NOFOLLOW | kAlways;
  }
  return O_RDONLY | kAlways;
}

}  // namespace

const char* IntentName(OpenIntent intent) {
  switch (intent) {
    case OpenIntent::kRead:
      return "read";
    case OpenIntent::kNewPart:
      return "new_part";
    case OpenIntent::kPart:
      return "part";
  }
  return "read";
}

OpenIntent IntentNamed(const std::string& name) {
  if (name == "new_part") return OpenIntent::kNewPart;
  if (name == "part") return OpenIntent::kPart;
  return OpenIntent::kRead;
}

Result<OpenedFile> OpenInside(const std::string& path, const std::vector<std::string>& roots,
                              OpenIntent intent) {
  if (Status s = CheckRoots(path, roots); !s.ok()) return s;  // the early, friendly refusal
  OpenedFile f{UniqueFd(::open(path.c_str(), FlagsFor(intent), 0600)), {}};
  if (!f.fd.valid()) return OpenError(path, errno);
  if (::fstat(f.fd.get(), &f.st) != 0) return OpenError(path, errno);
  if (!S_ISREG(f.st.st_mode)) return Status::InvalidArgument(path + " is not a regular file");
  if (intent != OpenIntent::kRead)
    if (Status s = CheckPart(path, f.st); !s.ok()) return s;
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
  const UniqueFd fd(::open(part.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return OpenError(part, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return OpenError(part, errno);
  if (Status s = CheckPart(part, st); !s.ok()) return s;
  if (::fchmod(fd.get(), 0666 & ~mask) != 0) return OpenError(part, errno);
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
