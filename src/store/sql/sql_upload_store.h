// UploadStore on SQL: uploads in `uploads`, their written spans in `upload_spans`.
#pragma once

#include "sql/connection_pool.h"
#include "store/upload_store.h"

namespace sfapid::sql {

class SqlUploadStore : public UploadStore {
 public:
  explicit SqlUploadStore(ConnectionPool& pool) : db_(pool), pool_(pool) {}
  Status CreateUpload(const UploadRecord& upload) override;
  Result<std::optional<UploadRecord>> GetUpload(const std::string& id) override;
  Result<int64_t> AddUploadSpan(const std::string& id, ByteSpan span, int64_t expires_ms,
                                int64_t now_ms) override;
  Result<bool> BeginCompleting(const std::string& id, int64_t now_ms, int64_t until_ms) override;
  Status ReleaseCompleting(const std::string& id) override;
  Result<std::vector<ByteSpan>> UploadSpans(const std::string& id) override;
  Status CompleteUpload(const std::string& id, const std::string& sha256,
                        int64_t expires_ms) override;
  Status DeleteUpload(const std::string& id) override;
  Result<std::vector<UploadRecord>> ExpiredUploads(int64_t now_ms) override;

 private:
  Status DeleteSpans(const std::string& id);  // inside a caller's transaction
  Database& db_;
  ConnectionPool& pool_;  // locked: a connection leased to this thread, db_ uses it
};

}  // namespace sfapid::sql
