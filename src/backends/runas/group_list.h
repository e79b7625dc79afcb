// A user's supplementary groups, as initgroups(3) would set them, for every process and worker
// that acts as the user. Asking NSS costs a dozen file opens (files, then systemd's userdb
// folders) on every file request and submission; so answers are kept while /etc/group is the
// same file, unchanged, and for at most a second (other NSS sources, LDAP or SSSD, have no file
// to watch): a change to /etc/group reaches the next request, one elsewhere within a second.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid {

Result<std::vector<gid_t>> GroupsOf(const std::string& account, gid_t gid);

}  // namespace sfapid
