#include "store/sql/sql_upload_store.h"

namespace sfapid::sql {

namespace {

constexpr const char* kColumns =
    "id, user, system, path, part_path, size, created_ms, expires_ms, state, sha256, writes, "
    "completing_until_ms";

UploadRecord ReadUpload(const Statement& s) {
  return UploadRecord{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5),
                      s.Int(6),  s.Int(7),  s.Text(8), s.Text(9), s.Int(10), s.Int(11)};
}

}  // namespace

Status SqlUploadStore::CreateUpload(const UploadRecord& u) {
  std::lock_guard lock(pool_);
  return db_.Run(std::string("INSERT INTO uploads(") + kColumns +
                     ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                 [&](Statement& st) {
                   st.Bind(1, u.id).Bind(2, u.user).Bind(3, u.system).Bind(4, u.path);
                   st.Bind(5, u.part_path).Bind(6, u.size).Bind(7, u.created_ms);
                   st.Bind(8, u.expires_ms).Bind(9, u.state).Bind(10, u.sha256);
                   st.Bind(11, u.writes).Bind(12, u.completing_until_ms);
                 });
}

Result<std::optional<UploadRecord>> SqlUploadStore::GetUpload(const std::string& id) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<UploadRecord>(
      std::string("SELECT ") + kColumns + " FROM uploads WHERE id = ?1",
      [&](Statement& st) { st.Bind(1, id); }, ReadUpload);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<UploadRecord>();
  return std::optional<UploadRecord>(std::move(rows->front()));
}

Result<int64_t> SqlUploadStore::AddUploadSpan(const std::string& id, ByteSpan span,
                                              int64_t expires_ms, int64_t now_ms) {
  std::lock_guard lock(pool_);
  int64_t writes = 0;
  Status done = db_.InTransaction([&]() -> Status {
    // First the upload itself, so that a span is never recorded for one that is gone, complete or
    // being completed (its checksum is being taken from the bytes as they are).
    if (Status s =
            db_.Run("UPDATE uploads SET expires_ms = ?2, writes = writes + 1 "
                    "WHERE id = ?1 AND state = 'open' AND completing_until_ms < ?3",
                    [&](Statement& st) { st.Bind(1, id).Bind(2, expires_ms).Bind(3, now_ms); });
        !s.ok())
      return s;
    if (db_.Changes() == 0)
      return Status::FailedPrecondition("upload " + id + " is complete or being completed");
    if (Status s = db_.Run(
            "INSERT INTO upload_spans(upload_id, offset_bytes, length_bytes) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(upload_id, offset_bytes) DO UPDATE SET length_bytes = "
            "CASE WHEN excluded.length_bytes > upload_spans.length_bytes "
            "THEN excluded.length_bytes ELSE upload_spans.length_bytes END",
            [&](Statement& st) { st.Bind(1, id).Bind(2, span.offset).Bind(3, span.length); });
        !s.ok())
      return s;
    auto count = db_.Query<int64_t>(
        "SELECT writes FROM uploads WHERE id = ?1", [&](Statement& st) { st.Bind(1, id); },
        [](const Statement& st) { return st.Int(0); });
    if (!count) return count.status();
    writes = count->empty() ? 0 : count->front();
    return Status::Ok();
  });
  if (!done.ok()) return done;
  return writes;
}

Result<bool> SqlUploadStore::BeginCompleting(const std::string& id, int64_t now_ms,
                                             int64_t until_ms) {
  std::lock_guard lock(pool_);
  if (Status s = db_.Run("UPDATE uploads SET completing_until_ms = ?3 "
                         "WHERE id = ?1 AND state = 'open' AND completing_until_ms < ?2",
                         [&](Statement& st) { st.Bind(1, id).Bind(2, now_ms).Bind(3, until_ms); });
      !s.ok())
    return s;
  return db_.Changes() == 1;
}

Status SqlUploadStore::ReleaseCompleting(const std::string& id) {
  std::lock_guard lock(pool_);
  return db_.Run("UPDATE uploads SET completing_until_ms = 0 WHERE id = ?1",
                 [&](Statement& st) { st.Bind(1, id); });
}

Result<std::vector<ByteSpan>> SqlUploadStore::UploadSpans(const std::string& id) {
  std::lock_guard lock(pool_);
  auto rows = db_.Query<ByteSpan>(
      "SELECT offset_bytes, length_bytes FROM upload_spans WHERE upload_id = ?1 "
      "ORDER BY offset_bytes",
      [&](Statement& st) { st.Bind(1, id); },
      [](const Statement& s) {
        return ByteSpan{s.Int(0), s.Int(1)};
      });
  if (!rows) return rows.status();
  return MergeSpans(std::move(*rows));
}

Status SqlUploadStore::DeleteSpans(const std::string& id) {
  return db_.Run("DELETE FROM upload_spans WHERE upload_id = ?1",
                 [&](Statement& st) { st.Bind(1, id); });
}

Status SqlUploadStore::CompleteUpload(const std::string& id, const std::string& sha256,
                                      int64_t expires_ms) {
  std::lock_guard lock(pool_);
  return db_.InTransaction([&]() -> Status {
    if (Status s = DeleteSpans(id); !s.ok()) return s;
    return db_.Run(
        "UPDATE uploads SET state = 'complete', sha256 = ?2, expires_ms = ?3, "
        "completing_until_ms = 0 WHERE id = ?1",
        [&](Statement& st) { st.Bind(1, id).Bind(2, sha256).Bind(3, expires_ms); });
  });
}

Status SqlUploadStore::DeleteUpload(const std::string& id) {
  std::lock_guard lock(pool_);
  return db_.InTransaction([&]() -> Status {
    if (Status s = DeleteSpans(id); !s.ok()) return s;
    return db_.Run("DELETE FROM uploads WHERE id = ?1", [&](Statement& st) { st.Bind(1, id); });
  });
}

Result<std::vector<UploadRecord>> SqlUploadStore::ExpiredUploads(int64_t now_ms) {
  std::lock_guard lock(pool_);
  return db_.Query<UploadRecord>(
      std::string("SELECT ") + kColumns + " FROM uploads WHERE expires_ms < ?1 ORDER BY id",
      [&](Statement& st) { st.Bind(1, now_ms); }, ReadUpload);
}

}  // namespace sfapid::sql
