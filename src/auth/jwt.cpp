#include "auth/jwt.h"

#include <jwt.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstdlib>
#include <memory>

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
    return Status::InvalidArgument("the JWT is longer than " + std::to_string(kMaxJwtBytes) + " bytes");
  int dots = 0;
  for (char c : token) {
    if (c == '.') ++dots;
    else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '=')
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

Result<json::object> VerifyJwt(std::string_view token, const Key& key) {
  auto parts = ParseJwtUnverified(token);
  if (!parts) return parts.status();
  // The pin: libjwt verifies with whatever alg the header names, so the header must name exactly
  // the algorithm of the registered key before libjwt sees the key. This is what stops "none" and
  // HS256-keyed-with-the-public-key forgeries.
  if (parts->alg != key.Algorithm())
    return Status::PermissionDenied("the JWT is signed with " + parts->alg + ", but this " +
                                    (key.type() == Key::Type::kRsa ? "RSA" : "EC") + " key requires " +
                                    key.Algorithm());
  const std::string pem = key.PublicPem();
  const std::string t(token);
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, t.c_str(), reinterpret_cast<const unsigned char*>(pem.data()),
                 static_cast<int>(pem.size())) != 0 ||
      !raw)
    return Status::PermissionDenied("the JWT signature does not verify with the registered key");
  JwtPtr j(raw, jwt_free);
  if (jwt_get_alg(j.get()) != jwt_str_alg(key.Algorithm()))
    return Status::PermissionDenied("the JWT algorithm changed during verification");
  return ClaimsOf(j.get());
}

Result<std::string> SignJwt(const json::object& claims, const Key& key, const std::string& kid) {
  if (!key.has_private()) return Status::Internal("signing needs a private key");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return Status::Internal("out of memory");
  JwtPtr j(raw, jwt_free);
  const std::string text = json::serialize(claims);
  if (jwt_add_grants_json(j.get(), text.c_str()) != 0) return Status::Internal("cannot set JWT claims");
  if (!kid.empty()) jwt_add_header(j.get(), "kid", kid.c_str());
  const std::string pem = key.PrivatePem();
  if (jwt_set_alg(j.get(), jwt_str_alg(key.Algorithm()), reinterpret_cast<const unsigned char*>(pem.data()),
                  static_cast<int>(pem.size())) != 0)
    return Status::Internal("cannot set the JWT signing key");
  std::string token = TakeString(jwt_encode_str(j.get()));
  if (token.empty()) return Status::Internal("JWT signing failed");
  return token;
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
