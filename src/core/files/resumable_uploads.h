// Resumable uploads of files of any size (sfapid extension, docs/large-files.md), as the user:
// start with the path and the size; PUT chunks at offsets in any order, any number of times;
// finish with the SHA-256 the file must have. The bytes go into a hidden part file beside the
// target, opened by a worker as the user (RunAs::OpenFile) and written by the server through that
// descriptor; the part is renamed onto the target only when every byte is there and the checksum
// holds. What is written is recorded in the store, so an upload survives a restart and its chunks
// may reach any node; an unfinished one is removed [utilities] upload_expiry_hours after its last
// chunk.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "backends/runas/run_as.h"
#include "config/config.h"
#include "store/upload_store.h"
#include "util/file_digest.h"
#include "util/interval_gate.h"
#include "util/periodic_thread.h"

namespace sfapid {

struct UploadState {
  UploadRecord record;
  std::vector<ByteSpan> received;  // merged, in order
  int64_t received_bytes() const;
};

class ResumableUploads {
 public:
  ResumableUploads(const std::vector<SystemConfig>& systems, const UtilitiesConfig& utilities,
                   RunAs& runas, UploadStore& store);

  // InvalidArgument: a bad path or size; NotFound/PermissionDenied: the folder the file goes in.
  Result<UploadState> Start(const std::string& user, const std::string& system,
                            const std::string& path, int64_t size);
  // NotFound for an id that is not the user's (another user's is not told apart).
  Result<UploadState> Get(const std::string& user, const std::string& id);
  // InvalidArgument: outside [0, size); FailedPrecondition: already complete.
  Result<UploadState> WriteChunk(const std::string& user, const std::string& id, int64_t offset,
                                 std::string_view data);
  // FailedPrecondition: bytes missing (the message lists them); InvalidField "sha256": the
  // checksum differs (the upload stays open); a complete upload with the same checksum answers
  // again.
  Result<UploadState> Complete(const std::string& user, const std::string& id,
                               const std::string& sha256);
  // Removes the part file and forgets the upload.
  Status Abort(const std::string& user, const std::string& id);
  // Removes uploads whose time ran out; at most once per purge interval unless forced. How many.
  int PurgeExpired(bool force = false);
  // Purges on a timer too, so that expired part files go even when nobody starts an upload.
  void Start();
  void Stop();

 private:
  // An upload's part file as this node has it open, and the SHA-256 of its bytes [0, hashed) as
  // they came in order: completing then reads only what is not hashed yet. Any chunk that lands
  // inside the hashed bytes starts the hash over (it may have changed them). `mu` is held from a
  // chunk's write to its hashing, so the hash is of the bytes as they are on disk.
  struct OpenPart {
    UserFile file;
    std::mutex mu;
    int64_t hashed = 0;
    Sha256Stream hash;
    // The upload's write count in the store when this node had seen every write (-1: some chunk
    // went through another node, so a running hash that agrees is not proof: the file is read).
    int64_t writes_seen = 0;
  };

  Result<UploadRecord> Owned(const std::string& user, const std::string& id);
  // The part file, kept open for the next chunks (a few per node, least recently used closed
  // first); opened again by a worker after a restart or on another node.
  Result<std::shared_ptr<OpenPart>> PartFile(
      const UploadRecord& upload, fileops::OpenIntent intent = fileops::OpenIntent::kPart);
  // The file's SHA-256: the running hash carried on to the end; when that disagrees with
  // `expected`, or another node wrote chunks too, the whole file read again.
  Result<std::string> ChecksumOf(OpenPart& part, int64_t size, int64_t writes,
                                 const std::string& expected);
  // The checksum taken and the part renamed onto the target, once this request holds the upload.
  Result<UploadState> CommitHeld(const std::string& user, const std::string& id,
                                 const std::string& sha256);
  void ForgetPartFile(const std::string& id);
  Result<WorkerReply> AskWorker(const UploadRecord& upload, boost::json::object request);
  int64_t ExpiryFrom(int64_t now_ms) const;

  const std::vector<SystemConfig>& systems_;
  const UtilitiesConfig& utilities_;
  RunAs& runas_;
  UploadStore& store_;
  const std::chrono::steady_clock::duration purge_interval_;  // a minute, or the expiry if shorter
  IntervalGate purge_gate_;
  PeriodicThread purger_;

  std::mutex open_mu_;
  std::list<std::string> recent_;  // ids, most recently used first
  std::map<std::string, std::shared_ptr<OpenPart>> open_;
  static constexpr std::size_t kOpenParts = 32;
};

}  // namespace sfapid
