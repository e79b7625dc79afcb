#include "core/web/totp.h"

#include <liboath/oath.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <mutex>

namespace sfapid {

namespace {

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}

// The raw secret, or nullopt when the base32 text is malformed.
std::optional<std::string> Decode(const std::string& base32) {
  InitOnce();
  char* out = nullptr;
  size_t len = 0;
  if (oath_base32_decode(base32.data(), base32.size(), &out, &len) != OATH_OK || !out)
    return std::nullopt;
  std::string raw(out, len);
  std::free(out);
  return raw;
}

std::string UriEscape(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string NewTotpSecret() {
  InitOnce();
  unsigned char raw[20];
  RAND_bytes(raw, sizeof raw);
  char* out = nullptr;
  size_t len = 0;
  oath_base32_encode(reinterpret_cast<const char*>(raw), sizeof raw, &out, &len);
  std::string secret(out ? out : "", out ? len : 0);
  std::free(out);
  while (!secret.empty() && secret.back() == '=') secret.pop_back();
  return secret;
}

std::string TotpUri(const std::string& issuer, const std::string& user,
                    const std::string& secret_base32) {
  return "otpauth://totp/" + UriEscape(issuer) + ":" + UriEscape(user) +
         "?secret=" + secret_base32 + "&issuer=" + UriEscape(issuer) +
         "&algorithm=SHA1&digits=6&period=" + std::to_string(kTotpStepSeconds);
}

std::optional<int64_t> MatchTotp(const std::string& secret_base32, const std::string& code,
                                 TimePoint now) {
  if (code.size() != 6) return std::nullopt;
  for (char c : code)
    if (c < '0' || c > '9') return std::nullopt;
  auto raw = Decode(secret_base32);
  if (!raw) return std::nullopt;
  int position = 0;
  uint64_t counter = 0;
  const time_t t = std::chrono::system_clock::to_time_t(now);
  const int rc = oath_totp_validate3(raw->data(), raw->size(), t, kTotpStepSeconds, 0, 1, &position,
                                     &counter, code.c_str());
  if (rc < 0) return std::nullopt;
  return static_cast<int64_t>(counter);
}

std::string TotpCode(const std::string& secret_base32, TimePoint at) {
  auto raw = Decode(secret_base32);
  if (!raw) return "";
  char code[8] = {0};
  const time_t t = std::chrono::system_clock::to_time_t(at);
  if (oath_totp_generate(raw->data(), raw->size(), t, kTotpStepSeconds, 0, 6, code) != OATH_OK)
    return "";
  return code;
}

}  // namespace sfapid
