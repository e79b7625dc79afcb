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

std::string BaseName(const std::string& p) {
  std::string s = p;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  const auto slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
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

std::string LinkTarget(const std::string& p) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink(p.c_str(), buf, sizeof buf);
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

Result<std::vector<DirectoryEntry>> List(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0)
    return Status::NotFound("ls: cannot access '" + path + "': " + std::strerror(errno));
  std::vector<DirectoryEntry> entries;
  if (S_ISLNK(st.st_mode)) {
    entries.push_back(Entry(st, path + " -> " + LinkTarget(path)));
  } else if (!S_ISDIR(st.st_mode)) {
    entries.push_back(Entry(st, path));
  } else {
    DIR* dir = ::opendir(path.c_str());
    if (!dir)
      return Status::PermissionDenied("ls: cannot open directory '" + path +
                                      "': " + std::strerror(errno));
    std::vector<std::string> names;
    while (const dirent* d = ::readdir(dir)) {
      const std::string n = d->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    entries.push_back(Entry(st, "."));
    struct stat parent;
    const std::string up = path + (path.back() == '/' ? ".." : "/..");
    entries.push_back(Entry(::stat(up.c_str(), &parent) == 0 ? parent : st, ".."));
    const std::string prefix = path.back() == '/' ? path : path + "/";
    for (const auto& n : names) {
      struct stat child;
      const std::string full = prefix + n;
      if (::lstat(full.c_str(), &child) != 0) continue;  // vanished meanwhile
      entries.push_back(Entry(child, S_ISLNK(child.st_mode) ? n + " -> " + LinkTarget(full) : n));
    }
  }
  return entries;
}

Result<std::string> Read(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return Status::NotFound("download: cannot open '" + path + "': " + std::strerror(errno));
  struct stat st;
  ::fstat(fd, &st);
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("download: '" + path + "' is a directory");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("download: '" + path + "' is not a regular file");
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Status::InvalidArgument("download: '" + path + "' is " + std::to_string(st.st_size) +
                                   " bytes; downloads are limited to " + std::to_string(max_bytes) +
                                   " bytes (use a transfer for large files)");
  }
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(got);
  return data;
}

Status Write(const std::string& path, const std::string& content) {
  // Through a symlink, the file written is its target.
  std::string target = path;
  struct stat st;
  const bool exists = ::lstat(path.c_str(), &st) == 0;
  if (exists && S_ISLNK(st.st_mode)) {
    const std::string r = Realpath(path);
    if (!r.empty()) target = r;
  }
  struct stat existing;
  const bool had = ::stat(target.c_str(), &existing) == 0;
  if (had && S_ISDIR(existing.st_mode))
    return Status::InvalidArgument("upload: '" + path +
                                   "' is a directory; give the full path of the file");
  const std::string dir = ParentOf(target);
  std::string tmp = dir + "/." + BaseName(target) + ".sfapid-upload-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    return Status::PermissionDenied("upload: cannot write in '" + dir +
                                    "': " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const mode_t mode = had ? (existing.st_mode & 07777) : (0666 & ~[] {
    mode_t u = ::umask(0);
    ::umask(u);
    return u;
  }());
  const bool ok = done == content.size() && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
    const int e = ok ? errno : saved;
    ::unlink(tmp.c_str());
    return Status::Unavailable("upload: cannot write '" + path + "': " + std::strerror(e));
  }
  return Status::Ok();
}

}  // namespace sfapid::fileops
