// How much a project folder holds, measured on disk the way `du` and quota tools count it:
// allocated blocks and inodes, hard links once, symlinks not followed, per owning uid as well as in
// total. Walking a large tree is slow, so measurements are reused for a while.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "util/status.h"

namespace sfapid {

struct DiskUsage {
  int64_t bytes = 0;
  int64_t files = 0;  // inodes: files, folders, links, the top folder included
  std::map<uid_t, std::pair<int64_t, int64_t>> by_uid;  // uid -> (bytes, files)
};

// NotFound when the folder does not exist. Entries that cannot be read are left out.
Result<DiskUsage> MeasureDisk(const std::string& path);

// MeasureDisk with results reused for `max_age_seconds`.
class DiskUsageCache {
 public:
  explicit DiskUsageCache(double max_age_seconds) : max_age_seconds_(max_age_seconds) {}
  Result<DiskUsage> Get(const std::string& path);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point at;
    DiskUsage usage;
  };
  double max_age_seconds_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace sfapid
