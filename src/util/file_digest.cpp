#include "util/file_digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace sfapid {

Result<std::string> Sha256OfFile(int fd, int64_t size) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return Status::Internal("SHA-256 is not available");
  // Read-ahead does the rest: 1 MiB reads keep the hash, not the syscalls, the cost.
  ::posix_fadvise(fd, 0, size, POSIX_FADV_SEQUENTIAL);
  std::vector<unsigned char> buf(1 << 20);
  for (int64_t at = 0; at < size;) {
    const auto want = static_cast<size_t>(std::min<int64_t>(size - at, buf.size()));
    const ssize_t n = ::pread(fd, buf.data(), want, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable(std::string("reading the file: ") + std::strerror(errno));
    if (n == 0) return Status::Unavailable("the file is shorter than its declared size");
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    at += n;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

}  // namespace sfapid
