// JSON Web Tokens through libjwt, with the algorithm pinned by the caller: a token is only ever
// verified with the algorithm its key type allows (RS256 for RSA, ES256 for EC), never with "none"
// or HMAC, and never with an algorithm or key that the token names for itself.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/key.h"
#include "util/status.h"

namespace sfapid {

// The longest token accepted anywhere: far above any real assertion or access token.
inline constexpr std::size_t kMaxJwtBytes = 16 * 1024;

struct JwtParts {
  std::string alg;  // header "alg"
  std::string kid;  // header "kid", or empty
  boost::json::object claims;
};

// Parses header and claims WITHOUT checking the signature, to learn who claims to have signed.
// Nothing read here may be trusted until VerifyJwt succeeds.
Result<JwtParts> ParseJwtUnverified(std::string_view token);

// Checks the signature with key, requiring the header's alg to be the key's pinned algorithm.
// On success returns the verified claims.
Result<boost::json::object> VerifyJwt(std::string_view token, const Key& key);

// Signs claims with a private key, alg pinned to the key type, "kid" in the header when given.
Result<std::string> SignJwt(const boost::json::object& claims, const Key& key,
                            const std::string& kid);

// Typed claim readers: nullopt when absent or of another type.
std::optional<std::string> StringClaim(const boost::json::object& claims, const char* name);
std::optional<int64_t> IntClaim(const boost::json::object& claims, const char* name);

}  // namespace sfapid
