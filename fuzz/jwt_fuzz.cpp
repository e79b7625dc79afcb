// Fuzzes what an attacker controls at the token endpoint and on every authenticated call: the
// client assertion and the bearer token, through the unverified parse and the pinned verification
// against both key types.
#include <cstddef>
#include <cstdint>
#include <string>

#include "auth/jwt.h"

namespace {
const sfapid::Key& RsaKey() {
  static const sfapid::Key key = sfapid::Key::Generate(sfapid::Key::Type::kRsa).value();
  return key;
}
const sfapid::Key& EcKey() {
  static const sfapid::Key key = sfapid::Key::Generate(sfapid::Key::Type::kEc).value();
  return key;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string token(reinterpret_cast<const char*>(data), size);
  auto parts = sfapid::ParseJwtUnverified(token);
  if (parts) {
    (void)sfapid::StringClaim(parts->claims, "iss");
    (void)sfapid::IntClaim(parts->claims, "exp");
  }
  (void)sfapid::VerifyJwt(token, RsaKey());
  (void)sfapid::VerifyJwt(token, EcKey());
  // Key material arrives from operators' files too.
  (void)sfapid::Key::FromPemOrJwk(token);
  return 0;
}
