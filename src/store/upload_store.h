// Resumable uploads (sfapid extension, docs/large-files.md): one row per upload, which byte ranges
// of its part file have been written, and how it ended. In the store, so that an upload survives a
// restart and its chunks may reach any node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid {

struct UploadRecord {
  std::string id;    // secret_tokens: unguessable, and still checked against the owner
  std::string user;  // the API user who started it
  std::string system;
  std::string path;       // where the file goes
  std::string part_path;  // the hidden file it is written to until it is complete
  int64_t size = 0;       // declared at the start
  int64_t created_ms = 0;
  int64_t expires_ms = 0;      // an unfinished upload is removed after this; renewed by each chunk
  std::string state = "open";  // open | complete
  std::string sha256;          // once complete
};

struct ByteSpan {
  int64_t offset = 0;
  int64_t length = 0;
  bool operator==(const ByteSpan&) const = default;
};

class UploadStore {
 public:
  virtual ~UploadStore() = default;
  virtual Status CreateUpload(const UploadRecord& upload) = 0;
  virtual Result<std::optional<UploadRecord>> GetUpload(const std::string& id) = 0;
  // Records that [offset, offset + length) is written (a retried chunk again: the longer stays)
  // and keeps the upload until expires_ms.
  virtual Status AddUploadSpan(const std::string& id, ByteSpan span, int64_t expires_ms) = 0;
  // The written spans, merged where they touch or overlap, in order.
  virtual Result<std::vector<ByteSpan>> UploadSpans(const std::string& id) = 0;
  // Marks it complete with the checksum the file had; kept until expires_ms for a repeated call.
  virtual Status CompleteUpload(const std::string& id, const std::string& sha256,
                                int64_t expires_ms) = 0;
  virtual Status DeleteUpload(const std::string& id) = 0;
  // Uploads (open or complete) whose time ran out before now_ms.
  virtual Result<std::vector<UploadRecord>> ExpiredUploads(int64_t now_ms) = 0;
};

// Spans merged where they touch or overlap, in order of offset.
std::vector<ByteSpan> MergeSpans(std::vector<ByteSpan> spans);

}  // namespace sfapid
