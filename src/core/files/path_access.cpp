#include "core/files/path_access.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>

#include "backends/runas/group_list.h"

namespace sfapid {

AccessIds AccessIdsOf(const UnixIdentity& who) {
  AccessIds ids{who.uid, who.gid, {}};
  // The groups the user's processes get (kept as group_list.h says); none but the primary one
  // when NSS cannot say, which only narrows what is reported accessible.
  if (auto groups = GroupsOf(who.account, who.gid)) ids.groups = std::move(*groups);
  return ids;
}

PathAccess ModeAccess(mode_t mode, uid_t owner, gid_t group, const AccessIds& ids) {
  // One class only, the first that applies: an owner without a bit the group has is refused.
  int shift = 0;  // others
  if (owner == ids.uid)
    shift = 6;
  else if (group == ids.gid ||
           std::find(ids.groups.begin(), ids.groups.end(), group) != ids.groups.end())
    shift = 3;
  const mode_t bits = (mode >> shift) & 07;
  return {(bits & 04) != 0, (bits & 02) != 0, (bits & 01) != 0};
}

namespace {

// Whether the user may search every folder above the path's last name, as path resolution in
// the kernel asks.
bool FoldersAboveSearchable(const std::filesystem::path& whole, const AccessIds& ids) {
  std::filesystem::path prefix;
  for (auto it = whole.begin(); it != whole.end(); ++it) {
    if (std::next(it) == whole.end()) break;  // the path itself
    prefix /= *it;
    struct stat st {};
    if (::stat(prefix.c_str(), &st) != 0) return false;
    if (!ModeAccess(st.st_mode, st.st_uid, st.st_gid, ids).execute) return false;
  }
  return true;
}

}  // namespace

PathAccess AccessOf(const std::string& path, const AccessIds& ids) {
  if (!FoldersAboveSearchable(path, ids)) return {};
  // A symbolic link on the way (the user's own: ~/scratch -> /somewhere) is followed by the
  // kernel through every folder above its target too: those must be searchable as well, or the
  // answer (read as root) would tell about a path the user cannot reach.
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(path, ec);
  if (ec || !FoldersAboveSearchable(real, ids)) return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  PathAccess access = ModeAccess(st.st_mode, st.st_uid, st.st_gid, ids);
  // EROFS: access(2) refuses writing on a read-only mount whatever the bits say.
  struct statvfs fs_info {};
  if (access.write && ::statvfs(path.c_str(), &fs_info) == 0 && (fs_info.f_flag & ST_RDONLY))
    access.write = false;
  return access;
}

}  // namespace sfapid
