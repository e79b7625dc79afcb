// Folders and files only sfapid's own account may read: the store, keys, spool, outbox. They hold
// every user's command output and callback URLs, so they are made private from creation (0700
// folders, 0600 files) and a mode that lets others in is repaired, with a log line, at start.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/status.h"

namespace sfapid {

// Creates the folder (and missing parents, 0700) or, when it exists, takes group and other
// permissions away from it. Refuses a path that is not a folder.
Status EnsurePrivateDir(const std::string& dir);

// Takes group and other permissions away from an existing file (a missing one is fine).
void RepairPrivateFile(const std::string& path);

// Writes a new file readable by its owner only: a temporary 0600 file, flushed to disk, renamed
// over path. A crash leaves the old file or the new one, never half of one.
Status WritePrivateFileAtomically(const std::string& path, const std::string& text);

// The process umask, set for a scope: files that libraries create (SQLite's database, journal
// and shared-memory files) are then private from their first byte. Only where no other thread
// creates files meanwhile: the umask belongs to the whole process.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask);
  ~ScopedUmask();
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t previous_;
};

}  // namespace sfapid
