// What a user may do with a path, decided as access(2) decides it but from a stat taken by sfapid
// itself: the owner's, the group's or the others' bits (the first class the user is in, only
// that one), with search permission needed on every folder above it, and no writing on a
// read-only mount. For telling users what they can do with their own folders (IRI storage
// locations); the worker's own checks, as the user, stay what guards every operation.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "backends/runas/unix_identity.h"

namespace sfapid {

struct PathAccess {
  bool read = false, write = false, execute = false;
  bool operator==(const PathAccess&) const = default;
};

// The ids access(2) compares a file's owner and group with.
struct AccessIds {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary
};

// The account's ids with its supplementary groups (getgrouplist: the groups the worker takes on
// with initgroups when it drops to the account).
AccessIds AccessIdsOf(const UnixIdentity& who);

// access(2)'s answer for a file of this mode, owner and group. Root's overrides are not modelled:
// sfapid never acts as root (UserMap refuses it).
PathAccess ModeAccess(mode_t mode, uid_t owner, gid_t group, const AccessIds& ids);

// The user's access to `path` (symbolic links followed, as access(2) does). All false when the
// path or a folder above it, or above where its links lead, cannot be stat'ed or searched. ACLs are
// not read: with an ACL, the group bits are its mask, so the answer can be narrower or wider than
// the kernel's.
PathAccess AccessOf(const std::string& path, const AccessIds& ids);

}  // namespace sfapid
