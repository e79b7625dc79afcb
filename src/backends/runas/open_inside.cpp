#include "backends/runas/open_inside.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backends/runas/file_ops.h"
#include "backends/runas/held_name.h"

namespace sfapid::fileops {

namespace {

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
  int err = 0;
  auto held = HoldName(path, roots, &err);
  if (!held) return err ? ErrnoStatus(path, err) : held.status();
  OpenedFile f;
  if (intent == OpenIntent::kRead) {
    auto opened = OpenFollowing(*held, FlagsFor(intent), roots, &err);
    if (!opened) return err ? ErrnoStatus(path, err) : opened.status();
    f.fd = std::move(*opened);
  } else {
    f.fd = OpenHere(*held, FlagsFor(intent), 0600);
    if (!f.fd.valid()) return ErrnoStatus(path, errno);
  }
  if (::fstat(f.fd.get(), &f.st) != 0) return ErrnoStatus(path, errno);
  if (!S_ISREG(f.st.st_mode)) return Status::InvalidArgument(path + " is not a regular file");
  if (intent != OpenIntent::kRead)
    if (Status s = CheckPart(path, f.st); !s.ok()) return s;
  // Where the opened file really is (OpenFollowing checked a read already; a part is never a link).
  if (!FdInsideRoots(f.fd.get(), roots))
    return Status::PermissionDenied(path + " is outside the folders this system exposes");
  ::fcntl(f.fd.get(), F_SETFL, ::fcntl(f.fd.get(), F_GETFL) & ~O_NONBLOCK);
  return f;
}

Status CommitPart(const std::string& part, const std::string& target,
                  const std::vector<std::string>& roots) {
  int err = 0;
  auto from = HoldName(part, roots, &err);
  if (!from) return err ? ErrnoStatus(part, err) : from.status();
  auto to = HoldName(target, roots, &err);
  if (!to) return err ? ErrnoStatus(target, err) : to.status();
  const mode_t mask = ::umask(022);
  ::umask(mask);
  const UniqueFd fd = OpenHere(*from, O_RDONLY | O_NONBLOCK);
  if (!fd.valid()) return ErrnoStatus(part, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(part, errno);
  if (Status s = CheckPart(part, st); !s.ok()) return s;
  if (::fchmod(fd.get(), 0666 & ~mask) != 0) return ErrnoStatus(part, errno);
  if (::renameat(from->folder.get(), from->name.c_str(), to->folder.get(), to->name.c_str()) != 0)
    return ErrnoStatus(target, errno);
  return Status::Ok();
}

Status RemovePart(const std::string& part, const std::vector<std::string>& roots) {
  int err = 0;
  auto held = HoldName(part, roots, &err);
  if (!held) return err == ENOENT ? Status::Ok() : err ? ErrnoStatus(part, err) : held.status();
  struct stat st;
  const int folder = held->folder.get();
  if (::fstatat(folder, held->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return Status::Ok();
  if (!S_ISREG(st.st_mode)) return Status::Ok();
  if (::unlinkat(folder, held->name.c_str(), 0) != 0 && errno != ENOENT)
    return ErrnoStatus(part, errno);
  return Status::Ok();
}

}  // namespace sfapid::fileops
