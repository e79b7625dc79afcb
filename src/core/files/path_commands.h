// The command lines of the IRI's filesystem operations that change things (rm, mkdir, ln, mv, cp,
// chmod, chown) and of checksum. Every path comes after "--" and is absolute (checked_paths.h), so
// none is ever read as an option. mv, cp and ln treat the target as the name to make
// (--no-target-directory): the result is always at the target path the user gave, and an existing
// folder there is an error (or, for cp of a folder, merged into) rather than silently becoming the
// parent of the result.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sfapid {

// sha256sum --zero: no escaping of odd names; the checksum is the first 64 characters.
std::vector<std::string> ChecksumArgv(const std::string& path);
// The lowercase hex SHA-256; nullopt when the output does not start with one.
std::optional<std::string> ParseChecksum(std::string_view output);

// rm -r: folders with everything in them; a symlink is removed, not what it points to.
std::vector<std::string> RemoveArgv(const std::string& path);
std::vector<std::string> MakeDirArgv(const std::string& path, bool parents);
// ln -s: a link at `link_path` whose target is `target`.
std::vector<std::string> SymlinkArgv(const std::string& target, const std::string& link_path);
std::vector<std::string> MoveArgv(const std::string& source, const std::string& target);
// cp -r; dereference: symlinks are copied as what they point to (-L), else as links (-P).
std::vector<std::string> CopyArgv(const std::string& source, const std::string& target,
                                  bool dereference);

// InvalidField("mode") unless an octal mode of 1 to 4 digits ("755", "2770").
Status CheckMode(const std::string& mode);
std::vector<std::string> ChangeModeArgv(const std::string& path, const std::string& mode);

// InvalidField("owner"/"group") for a name chown would misread (":" or NUL in it).
Status CheckOwner(const std::string& owner, const std::string& group);
// chown owner, owner:group or :group ("" leaves that one as it is; not both ""). Changing the
// owner is the kernel's call (only root may); the group, to one of the user's own.
std::vector<std::string> ChangeOwnerArgv(const std::string& path, const std::string& owner,
                                         const std::string& group);

}  // namespace sfapid
