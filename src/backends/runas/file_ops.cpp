#include "backends/runas/file_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "backends/runas/held_name.h"
#include "util/time_format.h"

namespace sfapid::fileops {

namespace {

std::string Realpath(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : std::string();
}

std::string ParentOf(const std::string& p) {
  const auto slash = p.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return p.substr(0, slash);
}

bool Under(const std::string& resolved, const std::string& root) {
  if (root == "/") return true;
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return resolved == r || resolved.rfind(r + "/", 0) == 0;
}

std::string Perms(mode_t m) {
  std::string s(10, '-');
  s[0] = S_ISDIR(m)    ? 'd'
         : S_ISLNK(m)  ? 'l'
         : S_ISCHR(m)  ? 'c'
         : S_ISBLK(m)  ? 'b'
         : S_ISFIFO(m) ? 'p'
         : S_ISSOCK(m) ? 's'
                       : '-';
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    if (m & (1 << (8 - i))) s[i + 1] = rwx[i];
  if (m & S_ISUID) s[3] = (m & S_IXUSR) ? 's' : 'S';
  if (m & S_ISGID) s[6] = (m & S_IXGRP) ? 's' : 'S';
  if (m & S_ISVTX) s[9] = (m & S_IXOTH) ? 't' : 'T';
  return s;
}

std::string UserName(uid_t uid) {
  const passwd* pw = ::getpwuid(uid);
  return pw ? pw->pw_name : std::to_string(uid);
}

std::string GroupName(gid_t gid) {
  const group* gr = ::getgrgid(gid);
  return gr ? gr->gr_name : std::to_string(gid);
}

std::string LinkTarget(int folder, const std::string& name) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlinkat(folder, name.c_str(), buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

DirectoryEntry Entry(const struct stat& st, const std::string& name) {
  return {Perms(st.st_mode),
          static_cast<int64_t>(st.st_nlink),
          UserName(st.st_uid),
          GroupName(st.st_gid),
          static_cast<int64_t>(st.st_size),
          TimePoint{std::chrono::seconds{st.st_mtim.tv_sec}},
          name};
}

}  // namespace

bool InsideRoots(const std::string& resolved, const std::vector<std::string>& roots) {
  for (const auto& root : roots) {
    if (root == "/") return true;
    const std::string r = Realpath(root);
    if (!r.empty() && Under(resolved, r)) return true;
  }
  return false;
}

Status CheckRoots(const std::string& path, const std::vector<std::string>& roots) {
  if (path.find('\0') != std::string::npos)
    return Status::InvalidArgument("the path contains a NUL byte");
  if (path.empty() || path.front() != '/')
    return Status::InvalidArgument("the path must be absolute");
  if (std::find(roots.begin(), roots.end(), "/") != roots.end()) return Status::Ok();
  // The existing part resolved (every symlink and ".." followed), the rest normalized: a
  // component that does not exist cannot be a symlink.
  std::error_code ec;
  const std::string resolved = std::filesystem::weakly_canonical(path, ec).string();
  if (ec == std::errc::filename_too_long)
    return Status::InvalidArgument(path + ": " + ec.message());
  if (ec) return Status::PermissionDenied("cannot resolve " + path + ": " + ec.message());
  if (InsideRoots(resolved, roots)) return Status::Ok();
  return Status::PermissionDenied(path + " is outside the folders this system exposes");
}

Result<std::vector<DirectoryEntry>> List(const std::string& path,
                                         const std::vector<std::string>& roots) {
  const auto cannot_access = [&](int err) {
    return Status::NotFound("ls: cannot access '" + path + "': " + std::strerror(err));
  };
  int err = 0;
  auto held = HoldName(path, roots, &err);
  if (!held) return err ? cannot_access(err) : held.status();
  const int folder = held->folder.get();
  struct stat st;
  if (::fstatat(folder, held->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return cannot_access(errno);
  std::vector<DirectoryEntry> entries;
  if (S_ISLNK(st.st_mode)) {
    // A link that leads out of the roots is not shown (a dangling one is).
    auto target = OpenFollowing(*held, O_PATH, roots, &err);
    if (!target && err == 0) return target.status();
    entries.push_back(Entry(st, path + " -> " + LinkTarget(folder, held->name)));
  } else if (!S_ISDIR(st.st_mode)) {
    entries.push_back(Entry(st, path));
  } else {
    UniqueFd opened = OpenHere(*held, O_RDONLY | O_DIRECTORY);
    DIR* dir = opened.valid() ? ::fdopendir(opened.get()) : nullptr;
    if (!dir)
      return Status::PermissionDenied("ls: cannot open directory '" + path +
                                      "': " + std::strerror(errno));
    opened.Release();  // the DIR owns it now
    const int at = ::dirfd(dir);
    std::vector<std::string> names;
    while (const dirent* d = ::readdir(dir)) {
      const std::string n = d->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    entries.push_back(Entry(st, "."));
    struct stat parent;
    entries.push_back(Entry(::fstatat(at, "..", &parent, 0) == 0 ? parent : st, ".."));
    for (const auto& n : names) {
      struct stat child;
      if (::fstatat(at, n.c_str(), &child, AT_SYMLINK_NOFOLLOW) != 0) continue;  // vanished
      entries.push_back(Entry(child, S_ISLNK(child.st_mode) ? n + " -> " + LinkTarget(at, n) : n));
    }
    ::closedir(dir);
  }
  return entries;
}

Result<std::string> Read(const std::string& path, const std::vector<std::string>& roots,
                         std::size_t max_bytes) {
  int err = 0;
  auto held = HoldName(path, roots, &err);
  Result<UniqueFd> opened =
      held ? OpenFollowing(*held, O_RDONLY | O_NONBLOCK | O_NOCTTY, roots, &err)
           : Result<UniqueFd>(held.status());
  if (!opened && err == 0) return opened.status();
  if (!opened)
    return Status::NotFound("download: cannot open '" + path + "': " + std::strerror(err));
  const int fd = opened->get();
  struct stat st;
  ::fstat(fd, &st);
  if (S_ISDIR(st.st_mode))
    return Status::InvalidArgument("download: '" + path + "' is a directory");
  if (!S_ISREG(st.st_mode))
    return Status::InvalidArgument("download: '" + path + "' is not a regular file");
  if (static_cast<std::size_t>(st.st_size) > max_bytes)
    return Status::InvalidArgument("download: '" + path + "' is " + std::to_string(st.st_size) +
                                   " bytes; downloads are limited to " + std::to_string(max_bytes) +
                                   " bytes (use a transfer for large files)");
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

namespace {

// Through a symlink, the file written is its target: the target's own folder is held instead,
// and it must still hold the file the link led to when it was opened.
Status FollowLink(HeldName& held, const std::string& path, const std::vector<std::string>& roots) {
  int err = 0;
  auto target = OpenFollowing(held, O_PATH, roots, &err);
  if (!target) return err == ENOENT ? Status::Ok() : target.status();  // dangling: replaced
  auto there = HoldName(PathOfFd(target->get()), roots);
  if (!there) return there.status();
  struct stat want, have;
  if (::fstat(target->get(), &want) != 0 ||
      ::fstatat(there->folder.get(), there->name.c_str(), &have, AT_SYMLINK_NOFOLLOW) != 0 ||
      want.st_dev != have.st_dev || want.st_ino != have.st_ino)
    return Status::Unavailable("upload: '" + path + "' changed while it was written; try again");
  held = std::move(*there);
  return Status::Ok();
}

mode_t NewFileMode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

Status Write(const std::string& path, const std::string& content,
             const std::vector<std::string>& roots, std::optional<mode_t> mode) {
  auto held = HoldName(path, roots);
  if (!held) return held.status();
  struct stat st;
  if (::fstatat(held->folder.get(), held->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISLNK(st.st_mode))
    if (Status s = FollowLink(*held, path, roots); !s.ok()) return s;
  struct stat existing;
  const bool had =
      ::fstatat(held->folder.get(), held->name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (held->name == "." || (had && S_ISDIR(existing.st_mode)))
    return Status::InvalidArgument("upload: '" + path +
                                   "' is a directory; give the full path of the file");
  std::string temp;
  const UniqueFd fd = MakeTempBeside(*held, ".sfapid-upload-", temp);
  if (!fd.valid())
    return Status::PermissionDenied("upload: cannot write in '" + ParentOf(held->real) +
                                    "': " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const mode_t new_mode = mode ? *mode : had ? (existing.st_mode & 07777) : NewFileMode();
  const bool ok =
      done == content.size() && ::fchmod(fd.get(), new_mode) == 0 && ::fsync(fd.get()) == 0;
  const int saved = errno;
  const int folder = held->folder.get();
  if (!ok || ::renameat(folder, temp.c_str(), folder, held->name.c_str()) != 0) {
    const int e = ok ? errno : saved;
    ::unlinkat(folder, temp.c_str(), 0);
    return Status::Unavailable("upload: cannot write '" + path + "': " + std::strerror(e));
  }
  return Status::Ok();
}

}  // namespace sfapid::fileops
