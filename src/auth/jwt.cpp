#include "auth/jwt.h"

#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "util/base64.h"

namespace sfapid {

namespace json = boost::json;

namespace {

using JwtPtr = std::unique_ptr<jwt_t, decltype(&jwt_free)>;

std::string TakeString(char* s) {
  std::string out = s ? s : "";
  std::free(s);
  return out;
}

Result<json::object> ClaimsOf(jwt_t* j) {
  std::string text = TakeString(jwt_get_grants_json(j, nullptr));
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::InvalidArgument("JWT claims are not a JSON object");
  return std::move(v.as_object());
}

// Structural checks before handing a token to libjwt: bounded size, three dot-separated parts of
// base64url characters. libjwt copes with worse, but the error a client sees is clearer.
Status CheckShape(std::string_view token) {
  if (token.empty()) return Status::InvalidArgument("the JWT is empty");
  if (token.size() > kMaxJwtBytes)
    return Status::InvalidArgument("the JWT is longer than " + std::to_string(kMaxJwtBytes) +
                                   " bytes");
  int dots = 0;
  for (char c : token) {
    if (c == '.')
      ++dots;
    else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      return Status::InvalidArgument("the JWT has characters outside base64url");
  }
  if (dots != 2) return Status::InvalidArgument("the JWT must have three parts separated by '.'");
  return Status::Ok();
}

}  // namespace

Result<JwtParts> ParseJwtUnverified(std::string_view token) {
  if (Status s = CheckShape(token); !s.ok()) return s;
  const std::string t(token);
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, t.c_str(), nullptr, 0) != 0 || !raw)
    return Status::InvalidArgument("the JWT cannot be decoded (bad base64url or JSON)");
  JwtPtr j(raw, jwt_free);
  JwtParts parts;
  const char* alg = jwt_get_header(j.get(), "alg");
  if (!alg) return Status::InvalidArgument("the JWT header has no 'alg'");
  parts.alg = alg;
  if (const char* kid = jwt_get_header(j.get(), "kid")) parts.kid = kid;
  auto claims = ClaimsOf(j.get());
  if (!claims) return claims.status();
  parts.claims = std::move(claims).value();
  return parts;
}

namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// JOSE carries ECDSA signatures as r||s (32 bytes each for P-256); OpenSSL speaks DER.
std::optional<std::string> RawToDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::optional<std::string> DerToRaw(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) return std::nullopt;
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace

// libjwt parses; the signature is checked here with OpenSSL on the key already in memory. libjwt
// would want the key as PEM and decode it on every call, and OpenSSL 3's PEM decoder costs more
// than the whole rest of a token request (bench/auth.sh: 556 tokens/s that way).
Result<json::object> VerifyJwt(std::string_view token, const Key& key) {
  auto parts = ParseJwtUnverified(token);
  if (!parts) return parts.status();
  // The pin: the header must name exactly the algorithm of the registered key. This is what
  // stops "none" and HS256-keyed-with-the-public-key forgeries.
  if (parts->alg != key.Algorithm())
    return Status::PermissionDenied("the JWT is signed with " + parts->alg + ", but this " +
                                    (key.type() == Key::Type::kRsa ? "RSA" : "EC") +
                                    " key requires " + key.Algorithm());
  const size_t dot = token.rfind('.');
  const std::string_view signing_input = token.substr(0, dot);
  // Canonical base64url only: one signature has exactly one spelling, so a token cannot be varied
  // to get past the verified-token cache.
  auto signature = Base64Decode(token.substr(dot + 1));
  if (!signature || Base64UrlEncode(*signature) != token.substr(dot + 1))
    return Status::PermissionDenied("the JWT signature is not canonical base64url");
  if (key.type() == Key::Type::kEc) {
    signature = RawToDer(*signature);
    if (!signature) return Status::PermissionDenied("an ES256 signature must be 64 bytes");
  }
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                       signature->size(),
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) != 1) {
    ERR_clear_error();
    return Status::PermissionDenied("the JWT signature does not verify with the registered key");
  }
  return std::move(parts->claims);
}

Result<std::string> SignJwt(const json::object& claims, const Key& key, const std::string& kid) {
  if (!key.has_private()) return Status::Internal("signing needs a private key");
  json::object header{{"alg", key.Algorithm()}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = kid;
  std::string token =
      Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(claims));
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size()) != 1)
    return Status::Internal("JWT signing failed");
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(token.data()), token.size()) != 1)
    return Status::Internal("JWT signing failed");
  signature.resize(len);
  if (key.type() == Key::Type::kEc) {
    auto raw = DerToRaw(signature);
    if (!raw) return Status::Internal("JWT signing produced an unreadable ECDSA signature");
    signature = std::move(*raw);
  }
  return token + "." + Base64UrlEncode(signature);
}

std::optional<std::string> StringClaim(const json::object& claims, const char* name) {
  const json::value* v = claims.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::optional<int64_t> IntClaim(const json::object& claims, const char* name) {
  const json::value* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v->as_uint64());
  if (v->is_double() && std::isfinite(v->as_double()) && std::abs(v->as_double()) < 1e15)
    return static_cast<int64_t>(v->as_double());
  return std::nullopt;
}

}  // namespace sfapid
