// Becoming a Unix account for good, in a process that is about to act for a user: groups, then
// gid, then uid, and a proof that root cannot come back. Shared by the worker and the job
// supervisor's job process.
#pragma once

#include <pwd.h>

#include "util/status.h"

namespace sfapid {

// As root: drops to the account (never to root). Not root: succeeds only when already running as
// that account (the single-user mode of a laptop).
Status DropPrivileges(const passwd& account);

}  // namespace sfapid
