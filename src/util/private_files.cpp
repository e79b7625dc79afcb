#include "util/private_files.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/write_all.h"

namespace sfapid {

namespace {

// Removes group and other bits from what path names (a folder or a file), saying so in the log.
void TakeAwayOthers(const std::string& path, const struct stat& st, const char* what) {
  const mode_t mode = st.st_mode & 07777;
  if ((mode & 077) == 0) return;
  const mode_t fixed = mode & ~static_cast<mode_t>(077);
  if (::chmod(path.c_str(), fixed) != 0) {
    spdlog::error("{} {} is mode {:04o}, readable by other accounts, and cannot be repaired: {}",
                  what, path, mode, std::strerror(errno));
    return;
  }
  spdlog::warn("{} {} was mode {:04o}, open to other accounts; repaired to {:04o}", what, path,
               mode, fixed);
}

}  // namespace

Status EnsurePrivateDir(const std::string& dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return Status::Unavailable("cannot read folder " + dir + ": " + std::strerror(errno));
    // Parents as the umask says (they may be shared, like ~/.local/share); the folder itself 0700
    // from the moment it exists.
    const auto slash = dir.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
      std::error_code ec;
      std::filesystem::create_directories(dir.substr(0, slash), ec);
      if (ec)
        return Status::Unavailable("cannot create folder " + dir.substr(0, slash) + ": " +
                                   ec.message());
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return Status::Unavailable("cannot create folder " + dir + ": " + std::strerror(errno));
    return Status::Ok();
  }
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(dir + " exists and is not a folder");
  TakeAwayOthers(dir, st, "folder");
  return Status::Ok();
}

void RepairPrivateFile(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;
  TakeAwayOthers(path, st, S_ISDIR(st.st_mode) ? "folder" : "file");
}

Status WritePrivateFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // one a crash left behind
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
  const bool ok = WriteAll(fd, text) && ::fsync(fd) == 0;
  const std::string why = std::strerror(errno);
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::Unavailable("cannot write " + path + ": " + why);
  }
  return Status::Ok();
}

ScopedUmask::ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
ScopedUmask::~ScopedUmask() { ::umask(previous_); }

}  // namespace sfapid
