// Random secrets handed to browsers (session cookies, CSRF tokens, sign-in links), the hash under
// which the store keeps them, and their comparison in constant time.
#pragma once

#include <string>
#include <string_view>

namespace sfapid {

// `bytes` random bytes from OpenSSL's CSPRNG, base64url without padding.
std::string RandomToken(int bytes = 32);
// SHA-256 of the text, lowercase hex: what is stored instead of a secret.
std::string Sha256Hex(std::string_view text);
// Whether a and b are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace sfapid
