#include "core/files/resumable_uploads.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/files/file_stream.h"
#include "util/file_digest.h"
#include "util/secret_tokens.h"
#include "util/thread_capability.h"
#include "util/time_format.h"

namespace sfapid {

namespace json = boost::json;

namespace {

// Where the bytes go until the upload is complete: hidden, beside the target (same filesystem,
// so the final rename is atomic; the user's quota counts it), named after the upload.
std::string PartPathFor(const std::string& path, const std::string& id) {
  const size_t slash = path.find_last_of('/');
  return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".sfapid-upload-" +
         id.substr(0, 16);
}

Status CheckTargetPath(const std::string& path) {
  if (path.empty() || path.front() != '/')
    return Status::InvalidArgument("the path must be absolute");
  if (path.find('\0') != std::string::npos)
    return Status::InvalidArgument("the path contains a NUL byte");
  const std::string name = path.substr(path.find_last_of('/') + 1);
  if (name.empty() || name == "." || name == "..")
    return Status::InvalidArgument("the path must name a file, not a folder");
  return Status::Ok();
}

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string MissingSpans(const std::vector<ByteSpan>& got, int64_t size) {
  std::string out;
  int64_t at = 0;
  int shown = 0;
  auto add = [&](int64_t from, int64_t to) {
    if (shown++ < 5)
      out += (out.empty() ? "" : ", ") + std::to_string(from) + "-" + std::to_string(to - 1);
  };
  for (const ByteSpan& s : got) {
    if (s.offset > at) add(at, s.offset);
    at = std::max(at, s.offset + s.length);
  }
  if (at < size) add(at, size);
  if (shown > 5) out += ", ...";
  return out;
}

}  // namespace

ResumableUploads::ResumableUploads(const std::vector<SystemConfig>& systems,
                                   const UtilitiesConfig& utilities, RunAs& runas,
                                   UploadStore& store)
    : systems_(systems),
      utilities_(utilities),
      runas_(runas),
      store_(store),
      purge_interval_(std::min<std::chrono::steady_clock::duration>(
          std::chrono::minutes(1),
          std::chrono::milliseconds(static_cast<int64_t>(utilities.upload_expiry_hours * 3.6e6)))),
      purge_gate_(purge_interval_) {}

void ResumableUploads::Start() {
  purger_.Start(purge_interval_, [this] { PurgeExpired(true); });
}

void ResumableUploads::Stop() { purger_.Stop(); }

int64_t UploadState::received_bytes() const {
  int64_t n = 0;
  for (const ByteSpan& s : received) n += s.length;
  return n;
}

int64_t ResumableUploads::ExpiryFrom(int64_t now_ms) const {
  return now_ms + static_cast<int64_t>(utilities_.upload_expiry_hours * 3600000);
}

Result<WorkerReply> ResumableUploads::AskWorker(const UploadRecord& upload, json::object request) {
  auto roots = RootsOf(systems_, upload.system);
  if (!roots) return roots.status();
  auto who = runas_.Resolve(upload.user);
  if (!who) return who.status();
  request["roots"] = std::move(*roots);
  return runas_.Call(*who, request, "", 65536);
}

Result<UploadState> ResumableUploads::Start(const std::string& user, const std::string& system,
                                            const std::string& path, int64_t size) {
  PurgeExpired();
  if (Status s = CheckTargetPath(path); !s.ok()) return s;
  if (size < 0) return Status::InvalidArgument("size must be 0 or more bytes");
  auto roots = RootsOf(systems_, system);
  if (!roots) return roots.status();
  const int64_t now = NowUnixMs();
  UploadRecord upload{RandomToken(24), user,   system, path, "", size, now,
                      ExpiryFrom(now), "open", ""};
  upload.part_path = PartPathFor(path, upload.id);
  // Made now, as the user: a folder they cannot write is refused before any byte is sent.
  auto part = PartFile(upload, fileops::OpenIntent::kNewPart);
  if (!part) return part.status();
  const WithoutCapability as_the_user(CAP_SYS_RESOURCE);
  if (::ftruncate((*part)->file.fd.get(), size) != 0) {
    const std::string why = std::strerror(errno);
    ForgetPartFile(upload.id);
    (void)AskWorker(upload, {{"op", "remove_part"}, {"path", upload.part_path}});
    return Status::Unavailable("cannot size " + path + ": " + why);
  }
  if (Status s = store_.CreateUpload(upload); !s.ok()) {
    ForgetPartFile(upload.id);
    (void)AskWorker(upload, {{"op", "remove_part"}, {"path", upload.part_path}});
    return s;
  }
  return UploadState{std::move(upload), {}};
}

Result<UploadRecord> ResumableUploads::Owned(const std::string& user, const std::string& id) {
  auto found = store_.GetUpload(id);
  if (!found) return found.status();
  if (!*found || (*found)->user != user) return Status::NotFound("no upload " + id);
  return std::move(**found);
}

Result<UploadState> ResumableUploads::Get(const std::string& user, const std::string& id) {
  auto upload = Owned(user, id);
  if (!upload) return upload.status();
  auto spans = store_.UploadSpans(id);
  if (!spans) return spans.status();
  if (upload->state == "complete") spans->assign(1, ByteSpan{0, upload->size});
  return UploadState{std::move(*upload), std::move(*spans)};
}

Result<UploadState> ResumableUploads::WriteChunk(const std::string& user, const std::string& id,
                                                 int64_t offset, std::string_view data) {
  auto upload = Owned(user, id);
  if (!upload) return upload.status();
  if (upload->state == "complete")
    return Status::FailedPrecondition("upload " + id + " is complete");
  const auto length = static_cast<int64_t>(data.size());
  if (offset < 0 || offset > upload->size - length)  // (offset + length could overflow)
    return Status::InvalidArgument("a chunk of " + std::to_string(length) + " bytes at offset " +
                                   std::to_string(offset) + " is outside the upload's " +
                                   std::to_string(upload->size) + " bytes");
  if (length == 0) return Status::InvalidArgument("the chunk is empty");
  auto part = PartFile(*upload);
  if (!part) return part.status();
  OpenPart& open = **part;
  std::lock_guard lock(open.mu);
  {
    // Without CAP_SYS_RESOURCE the kernel holds these bytes to the user's quota and keeps the
    // filesystem's reserved blocks for root, as when the user writes them (docs/security.md).
    const WithoutCapability as_the_user(CAP_SYS_RESOURCE);
    for (size_t done = 0; done < data.size();) {
      const ssize_t n = ::pwrite(open.file.fd.get(), data.data() + done, data.size() - done,
                                 offset + static_cast<int64_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        ForgetPartFile(id);
        return Status::Unavailable(std::string("writing the upload: ") + std::strerror(err));
      }
      done += static_cast<size_t>(n);
    }
  }
  // Write-back starts now rather than at the final sync, so the disk works while bytes arrive.
  ::sync_file_range(open.file.fd.get(), offset, length, SYNC_FILE_RANGE_WRITE);
  if (offset < open.hashed) {
    open.hashed = 0;
    open.hash.Reset();
  } else if (offset == open.hashed) {
    open.hash.Update(data);
    open.hashed += length;
  }
  auto writes = store_.AddUploadSpan(id, {offset, length}, ExpiryFrom(NowUnixMs()), NowUnixMs());
  if (!writes) return writes.status();
  // Every write so far was this node's only when the count moved by exactly this one.
  open.writes_seen = open.writes_seen >= 0 && *writes == open.writes_seen + 1 ? *writes : -1;
  return Get(user, id);
}

Result<UploadState> ResumableUploads::Complete(const std::string& user, const std::string& id,
                                               const std::string& sha256) {
  if (!IsSha256Hex(sha256))
    return Status::InvalidArgument("sha256 must be 64 lowercase hexadecimal digits");
  auto state = Get(user, id);
  if (!state) return state.status();
  UploadRecord& upload = state->record;
  if (upload.state == "complete") {
    if (upload.sha256 == sha256) return state;
    return Status::InvalidField(
        "sha256", "upload " + id + " completed with SHA-256 " + upload.sha256 + ", not " + sha256);
  }
  if (state->received_bytes() < upload.size)
    return Status::FailedPrecondition("upload " + id + " is missing bytes " +
                                      MissingSpans(state->received, upload.size));
  // Held by this request (a lease in the store, across nodes): no chunk is recorded meanwhile,
  // and a second complete waits for this one's answer rather than racing it.
  const int64_t now = NowUnixMs();
  auto held = store_.BeginCompleting(id, now, now + 60'000 + upload.size / 50'000);
  if (!held) return held.status();
  if (!*held) {
    auto again = Get(user, id);
    if (again && again->record.state == "complete" && again->record.sha256 == sha256) return again;
    return Status::FailedPrecondition("upload " + id +
                                      " is being completed by another request; ask again later");
  }
  auto committed = CommitHeld(user, id, sha256);
  if (!committed) (void)store_.ReleaseCompleting(id);
  return committed;
}

Result<UploadState> ResumableUploads::CommitHeld(const std::string& user, const std::string& id,
                                                 const std::string& sha256) {
  auto held = Owned(user, id);  // as it is now that no chunk can be recorded
  if (!held) return held.status();
  const UploadRecord& upload = *held;
  auto part = PartFile(upload);
  if (!part) return part.status();
  auto actual = ChecksumOf(**part, upload.size, upload.writes, sha256);
  if (!actual) return actual.status();
  if (*actual != sha256)
    return Status::InvalidField("sha256", "the uploaded bytes have SHA-256 " + *actual + ", not " +
                                              sha256 +
                                              "; send the chunks again and complete once more");
  {
    const WithoutCapability as_the_user(CAP_SYS_RESOURCE);
    if (::fdatasync((*part)->file.fd.get()) != 0)
      return Status::Unavailable(std::string("saving the upload: ") + std::strerror(errno));
  }
  ForgetPartFile(id);
  auto renamed = AskWorker(
      upload, {{"op", "commit_part"}, {"path", upload.part_path}, {"target", upload.path}});
  if (!renamed) return renamed.status();
  if (Status s = renamed->ToStatus(); !s.ok()) return s;
  // Kept a while, so that a client whose answer was lost can ask again.
  if (Status s = store_.CompleteUpload(id, sha256, ExpiryFrom(NowUnixMs())); !s.ok()) return s;
  return Get(user, id);
}

Status ResumableUploads::Abort(const std::string& user, const std::string& id) {
  auto upload = Owned(user, id);
  if (!upload) return upload.status();
  ForgetPartFile(id);
  if (upload->state == "open") {
    auto removed = AskWorker(*upload, {{"op", "remove_part"}, {"path", upload->part_path}});
    if (!removed) return removed.status();
    if (Status s = removed->ToStatus(); !s.ok()) return s;
  }
  return store_.DeleteUpload(id);
}

int ResumableUploads::PurgeExpired(bool force) {
  if (!force && !purge_gate_.Due()) return 0;
  auto expired = store_.ExpiredUploads(NowUnixMs());
  if (!expired) return 0;
  int purged = 0;
  for (const UploadRecord& upload : *expired) {
    ForgetPartFile(upload.id);
    if (upload.state == "open") {
      // No answer (the worker could not start): tried again at the next purge. A refusal (the
      // folder went, or the user took away their own permission) will not change: forgotten.
      auto removed = AskWorker(upload, {{"op", "remove_part"}, {"path", upload.part_path}});
      if (!removed) continue;
      if (Status s = removed->ToStatus(); !s.ok())
        spdlog::warn("upload {}: its part file {} could not be removed: {}", upload.id,
                     upload.part_path, s.message());
    }
    if (store_.DeleteUpload(upload.id).ok()) ++purged;
  }
  return purged;
}

Result<std::string> ResumableUploads::ChecksumOf(OpenPart& part, int64_t size, int64_t writes,
                                                 const std::string& expected) {
  std::lock_guard lock(part.mu);
  if (part.hashed < size) {
    if (Status s = part.hash.UpdateFromFile(part.file.fd.get(), part.hashed, size); !s.ok()) {
      part.hashed = 0;
      part.hash.Reset();
      return s;
    }
    part.hashed = size;
  }
  const std::string running = part.hash.Hex();
  if (running == expected && part.writes_seen == writes) return running;
  return Sha256OfFile(part.file.fd.get(), size);
}

Result<std::shared_ptr<ResumableUploads::OpenPart>> ResumableUploads::PartFile(
    const UploadRecord& upload, fileops::OpenIntent intent) {
  {
    std::lock_guard lock(open_mu_);
    if (auto it = open_.find(upload.id); it != open_.end()) {
      recent_.remove(upload.id);
      recent_.push_front(upload.id);
      return it->second;
    }
  }
  auto roots = RootsOf(systems_, upload.system);
  if (!roots) return roots.status();
  auto who = runas_.Resolve(upload.user);
  if (!who) return who.status();
  auto opened = runas_.OpenFile(*who, upload.part_path, *roots, intent);
  if (!opened) return opened.status();
  auto file = std::make_shared<OpenPart>();
  file->file = std::move(*opened);
  file->writes_seen = upload.writes;  // any write since then comes out as someone else's
  std::lock_guard lock(open_mu_);
  auto [it, fresh] = open_.emplace(upload.id, file);
  if (!fresh) return it->second;  // another chunk opened it meanwhile: one descriptor is enough
  recent_.push_front(upload.id);
  while (recent_.size() > kOpenParts) {
    open_.erase(recent_.back());  // a chunk still writing holds its own reference
    recent_.pop_back();
  }
  return file;
}

void ResumableUploads::ForgetPartFile(const std::string& id) {
  std::lock_guard lock(open_mu_);
  open_.erase(id);
  recent_.remove(id);
}

}  // namespace sfapid
