#include "config/data_dir_check.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace sfapid {

namespace {

std::string MyName() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw ? std::string(pw->pw_name) : "uid " + std::to_string(::geteuid());
}

std::string Me() { return MyName() + " (uid " + std::to_string(::geteuid()) + ")"; }

// "owner uid 0, mode 0555" (and the file system's refusal, which no mode shows).
std::string Why(const std::string& path, int access_errno) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::strerror(errno);
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
  std::string why = "owner uid " + std::to_string(st.st_uid) + ", mode " + mode;
  if (access_errno == EROFS) why += ", on a read-only file system";
  return why;
}

// 0 when this account may create entries in `path`, else the errno that says why not.
int WritableFolder(const std::string& path) {
  return ::faccessat(AT_FDCWD, path.c_str(), W_OK | X_OK, AT_EACCESS) == 0 ? 0 : errno;
}

}  // namespace

Status CheckDataDir(const Config& config) {
  const std::string& dir = config.data_dir;
  const std::string fix =
      "; make it writable for " + MyName() + " or set data_dir to another folder";
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::is_directory(dir, ec))
      return Status::InvalidArgument("data_dir '" + dir + "' is not a folder");
    if (int e = WritableFolder(dir); e != 0)
      return Status::PermissionDenied("data_dir '" + dir + "' exists but is not writable by " +
                                      Me() + ": " + Why(dir, e) + fix);
    const std::string db = config.DataPath(config.store.sqlite_path);
    const int e = std::filesystem::exists(db, ec) &&
                          ::faccessat(AT_FDCWD, db.c_str(), R_OK | W_OK, AT_EACCESS) != 0
                      ? errno
                      : 0;
    if (e != 0)
      return Status::PermissionDenied("the database '" + db + "' in data_dir is not writable by " +
                                      Me() + ": " + Why(db, e) + fix);
    return Status::Ok();
  }
  // Missing: the nearest folder that exists must let us create the rest.
  std::filesystem::path parent = std::filesystem::path(dir).parent_path();
  while (!parent.empty() && !std::filesystem::exists(parent, ec) && parent != parent.root_path())
    parent = parent.parent_path();
  if (!std::filesystem::is_directory(parent, ec))
    return Status::InvalidArgument("data_dir '" + dir + "' cannot be created: '" + parent.string() +
                                   "' is not a folder");
  if (int e = WritableFolder(parent); e != 0)
    return Status::PermissionDenied("data_dir '" + dir +
                                    "' does not exist and cannot be created: '" + parent.string() +
                                    "' is not writable by " + Me() + ": " + Why(parent, e) + fix);
  return Status::Ok();
}

}  // namespace sfapid
