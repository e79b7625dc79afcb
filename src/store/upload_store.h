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
  int64_t writes = 0;          // chunks recorded so far, from any node
  // While a node checks and commits the file (until this time, a lease, so that a node that dies
  // meanwhile does not keep it for ever), no chunk is recorded and no other node completes it.
  int64_t completing_until_ms = 0;
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
  // and keeps the upload until expires_ms. The upload's writes after this one; FailedPrecondition
  // when it is gone, complete, or being completed at now_ms.
  virtual Result<int64_t> AddUploadSpan(const std::string& id, ByteSpan span, int64_t expires_ms,
                                        int64_t now_ms) = 0;
  // Takes the upload for completing until until_ms: false when it is not open or another node
  // holds it at now_ms. ReleaseCompleting gives it back (the checksum did not hold).
  virtual Result<bool> BeginCompleting(const std::string& id, int64_t now_ms, int64_t until_ms) = 0;
  virtual Status ReleaseCompleting(const std::string& id) = 0;
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
