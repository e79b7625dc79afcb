#include "core/accounts/disk_usage.h"

#include <fts.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace sfapid {

Result<DiskUsage> MeasureDisk(const std::string& path) {
  struct stat top {};
  if (::lstat(path.c_str(), &top) != 0)
    return errno == ENOENT ? Status::NotFound(path + " does not exist")
                           : Status::Unavailable(path + ": " + std::strerror(errno));
  std::string copy = path;
  char* roots[] = {copy.data(), nullptr};
  FTS* fts = ::fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR | FTS_XDEV, nullptr);
  if (!fts) return Status::Unavailable(path + ": " + std::strerror(errno));
  DiskUsage usage;
  std::set<std::pair<dev_t, ino_t>> linked;  // inodes with several names: counted once
  while (FTSENT* e = ::fts_read(fts)) {
    if (e->fts_info == FTS_DP || e->fts_info == FTS_NS || e->fts_info == FTS_NSOK ||
        e->fts_info == FTS_ERR)
      continue;
    const struct stat& st = *e->fts_statp;
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && !linked.insert({st.st_dev, st.st_ino}).second)
      continue;
    const int64_t bytes = static_cast<int64_t>(st.st_blocks) * 512;
    usage.bytes += bytes;
    usage.files += 1;
    auto& mine = usage.by_uid[st.st_uid];
    mine.first += bytes;
    mine.second += 1;
  }
  ::fts_close(fts);
  return usage;
}

Result<DiskUsage> DiskUsageCache::Get(const std::string& path) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(path);
    if (it != entries_.end() &&
        now - it->second.at < std::chrono::duration<double>(max_age_seconds_))
      return it->second.usage;
  }
  // Measured outside the lock: one slow tree does not hold up the others.
  auto usage = MeasureDisk(path);
  if (!usage) return usage;
  std::lock_guard lock(mu_);
  entries_[path] = {now, *usage};
  return usage;
}

}  // namespace sfapid
