#include "backends/runas/drop_privileges.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sfapid {

Status DropPrivileges(const passwd& pw) {
  if (::geteuid() != 0) {
    if (::geteuid() != pw.pw_uid)
      return Status::PermissionDenied("not root and not " + std::string(pw.pw_name));
    return Status::Ok();
  }
  if (pw.pw_uid == 0) return Status::PermissionDenied("refusing to act as root");
  if (::initgroups(pw.pw_name, pw.pw_gid) != 0 || ::setgid(pw.pw_gid) != 0 ||
      ::setuid(pw.pw_uid) != 0)
    return Status::PermissionDenied(std::string("cannot drop privileges: ") + std::strerror(errno));
  if (::setuid(0) == 0 || ::geteuid() == 0 || ::getegid() == 0)
    return Status::PermissionDenied("privileges could be regained");
  return Status::Ok();
}

}  // namespace sfapid
