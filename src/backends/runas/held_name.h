// A user's path held for use without a check-then-use window. Its folder is opened first (O_PATH)
// and the opened folder's real path, read back from the descriptor, is what is checked against the
// roots; every operation then acts on the last name relative to that descriptor (openat, fstatat,
// renameat, unlinkat), and an open that follows a symlink checks where the opened file really is.
// A symlink or rename swapped into the path after the check changes nothing: what was checked is
// what is used. Symlinks from one root into another (a home folder's link to scratch) still work,
// which openat2's RESOLVE_BENEATH under one root would refuse; magic links (/proc/PID/fd/N) are
// never followed (RESOLVE_NO_MAGICLINKS).
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "util/status.h"
#include "util/unique_fd.h"

namespace sfapid::fileops {

struct HeldName {
  UniqueFd folder;   // O_PATH, checked inside the roots
  std::string name;  // one component, never "" or ".."; "." when the path is the folder itself
  std::string real;  // the folder's real path with the name, for messages
};

// The path's folder, opened and checked; the folder must exist, the name need not. On failure,
// *os_error (if given) is the failing call's errno, or 0 when the roots refused the path.
Result<HeldName> HoldName(const std::string& path, const std::vector<std::string>& roots,
                          int* os_error = nullptr);

// Holds a folder, making the missing ones on the way (as the user, mode 0777 less the umask), each
// made and entered relative to the one above it, never through a symlink.
Result<UniqueFd> HoldFolderMaking(const std::string& folder, const std::vector<std::string>& roots);

// Opens the held name following a symlink in its place, then checks the opened file's real path:
// a link that leads out of the roots is refused (PermissionDenied). *os_error as for HoldName.
Result<UniqueFd> OpenFollowing(const HeldName& held, int flags,
                               const std::vector<std::string>& roots, int* os_error = nullptr);

// Opens the held name itself (O_NOFOLLOW added): a symlink there is never followed.
UniqueFd OpenHere(const HeldName& held, int flags, mode_t mode = 0);

// A failed call's errno as the status a user sees: "PATH: strerror", with the matching code.
Status ErrnoStatus(const std::string& path, int err);

// The real path a descriptor refers to ("" if unknown), and whether it is inside the roots.
std::string PathOfFd(int fd);
bool FdInsideRoots(int fd, const std::vector<std::string>& roots);

// A new file beside the held name, O_EXCL with a random suffix (mkstemp relative to the folder):
// ".NAME<infix>XXXXXX", mode 0600. Sets temp_name.
UniqueFd MakeTempBeside(const HeldName& held, const std::string& infix, std::string& temp_name);

}  // namespace sfapid::fileops
