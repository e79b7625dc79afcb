#include "util/file_digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace sfapid {

struct Sha256Stream::Context {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(md); }
};

Sha256Stream::Sha256Stream() : ctx_(std::make_unique<Context>()) {
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Reset() { EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr); }

void Sha256Stream::Update(std::string_view bytes) {
  EVP_DigestUpdate(ctx_->md, bytes.data(), bytes.size());
}

Status Sha256Stream::UpdateFromFile(int fd, int64_t from, int64_t to) {
  // Read-ahead does the rest: 1 MiB reads keep the hash, not the syscalls, the cost.
  ::posix_fadvise(fd, from, to - from, POSIX_FADV_SEQUENTIAL);
  std::vector<char> buf(1 << 20);
  for (int64_t at = from; at < to;) {
    const auto want = static_cast<size_t>(std::min<int64_t>(to - at, buf.size()));
    const ssize_t n = ::pread(fd, buf.data(), want, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable(std::string("reading the file: ") + std::strerror(errno));
    if (n == 0) return Status::Unavailable("the file is shorter than its declared size");
    Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    at += n;
  }
  return Status::Ok();
}

std::string Sha256Stream::Hex() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, ctx_->md);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(copy, digest, &length);
  EVP_MD_CTX_free(copy);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

Result<std::string> Sha256OfFile(int fd, int64_t size) {
  Sha256Stream hash;
  if (Status s = hash.UpdateFromFile(fd, 0, size); !s.ok()) return s;
  return hash.Hex();
}

}  // namespace sfapid
