#include "backends/runas/group_list.h"

#include <grp.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <mutex>
#include <utility>

namespace sfapid {

namespace {

constexpr auto kKeepAtMost = std::chrono::seconds(1);
constexpr size_t kMaxAccounts = 4096;

// What identifies /etc/group's content without reading it: a rewrite (vigr, groupadd, usermod
// write a new file and rename it) changes the inode, an edit in place the mtime or size.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  timespec mtime{};
  off_t size = -1;
  bool operator==(const FileStamp& o) const {
    return dev == o.dev && ino == o.ino && mtime.tv_sec == o.mtime.tv_sec &&
           mtime.tv_nsec == o.mtime.tv_nsec && size == o.size;
  }
};

FileStamp StampOf(const char* path) {
  struct stat st {};
  if (::stat(path, &st) != 0) return {};
  return {st.st_dev, st.st_ino, st.st_mtim, st.st_size};
}

struct Kept {
  std::vector<gid_t> groups;
  FileStamp file;
  std::chrono::steady_clock::time_point at;
};

std::mutex kept_mu;
std::map<std::pair<std::string, gid_t>, Kept> kept;  // under kept_mu

Result<std::vector<gid_t>> AskNss(const std::string& account, gid_t gid) {
  std::vector<gid_t> groups(64);
  for (int tries = 0; tries < 8; ++tries) {
    int n = static_cast<int>(groups.size());
    if (::getgrouplist(account.c_str(), gid, groups.data(), &n) >= 0) {
      groups.resize(static_cast<std::size_t>(n));
      return groups;
    }
    groups.resize(static_cast<std::size_t>(n) > groups.size() ? static_cast<std::size_t>(n)
                                                              : groups.size() * 2);
  }
  return Status::Unavailable("cannot read the groups of " + account);
}

}  // namespace

Result<std::vector<gid_t>> GroupsOf(const std::string& account, gid_t gid) {
  // Stamped before asking: a change made while NSS answers makes the next call ask again.
  const FileStamp file = StampOf("/etc/group");
  const auto now = std::chrono::steady_clock::now();
  const auto key = std::make_pair(account, gid);
  {
    std::lock_guard lock(kept_mu);
    if (auto it = kept.find(key);
        it != kept.end() && it->second.file == file && now - it->second.at < kKeepAtMost)
      return it->second.groups;
  }
  auto asked = AskNss(account, gid);
  if (!asked) return asked;
  std::lock_guard lock(kept_mu);
  if (kept.size() >= kMaxAccounts) kept.clear();
  kept[key] = Kept{*asked, file, now};
  return asked;
}

}  // namespace sfapid
