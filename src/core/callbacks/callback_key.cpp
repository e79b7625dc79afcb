#include "core/callbacks/callback_key.h"

#include <fcntl.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/private_files.h"

namespace sfapid {

namespace {

constexpr size_t kKeyBytes = 32;

std::string ToHex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 0x0f];
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Fills *key (an out parameter: GCC 12 warns falsely on moving a string into a Result).
Status ReadKey(const std::string& path, std::string* key) {
  std::ifstream in(path);
  if (!in) return Status::Unavailable("cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  std::getline(in, text);
  key->clear();
  for (size_t i = 0; i + 1 < text.size() && HexDigit(text[i]) >= 0 && HexDigit(text[i + 1]) >= 0;
       i += 2)
    key->push_back(static_cast<char>(HexDigit(text[i]) * 16 + HexDigit(text[i + 1])));
  if (key->size() != kKeyBytes || text.size() != 2 * kKeyBytes)
    return Status::Unavailable(path + " is not 64 hex digits; remove it to make a new key (every " +
                               "client's callback secret then changes)");
  return Status::Ok();
}

// Writes a new key under a temporary name and links it into place: link() refuses to replace a
// file, so a key another process made first wins and readers never see half a file.
Status CreateKey(const std::string& dir, const std::string& path) {
  unsigned char raw[kKeyBytes];
  if (RAND_bytes(raw, sizeof raw) != 1) return Status::Internal("no random bytes for a new key");
  const std::string text = ToHex(raw, sizeof raw) + "\n";
  const std::string tmp = dir + "/.callback.key." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  const bool linked = ok && (::link(tmp.c_str(), path.c_str()) == 0 || errno == EEXIST);
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!linked)
    return Status::Unavailable("cannot create " + path + ": " + std::strerror(link_errno));
  return Status::Ok();
}

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[32];
  unsigned int len = sizeof mac;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return ToHex(mac, len);
}

Result<CallbackKey> CallbackKey::LoadOrCreate(const std::string& key_dir) {
  if (Status s = EnsurePrivateDir(key_dir); !s.ok()) return s;
  const std::string path = key_dir + "/callback.key";
  if (::access(path.c_str(), F_OK) != 0)
    if (Status s = CreateKey(key_dir, path); !s.ok()) return s;
  std::string key;
  if (Status s = ReadKey(path, &key); !s.ok()) return s;
  return CallbackKey(std::move(key));
}

std::string CallbackKey::SecretFor(const std::string& client_id) const {
  return HmacSha256Hex(key_, client_id);
}

}  // namespace sfapid
