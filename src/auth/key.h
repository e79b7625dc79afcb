// An asymmetric key of an API client or of the server: RSA (2048 bits or more) or EC P-256, public
// or private, read from and written to PEM and JWK. OpenSSL does the cryptography.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace sfapid {

class Key {
 public:
  enum class Type { kRsa, kEc };

  static Result<Key> Generate(Type type);
  // A public (SPKI, PKCS#1) or private (PKCS#1, PKCS#8, SEC1) PEM. Text before the PEM block, such
  // as the client-id line of an sfapi_client key file, is skipped.
  static Result<Key> FromPem(std::string_view pem);
  // A JWK: RSA (n, e) or EC P-256 (x, y); private members are ignored.
  static Result<Key> FromPublicJwk(const boost::json::object& jwk);
  // PEM text or a JWK's JSON text, whichever it is.
  static Result<Key> FromPemOrJwk(std::string_view text);

  Type type() const { return type_; }
  int bits() const;
  bool has_private() const { return has_private_; }

  std::string PublicPem() const;  // SPKI ("BEGIN PUBLIC KEY")
  std::string PrivatePem()
      const;  // "BEGIN RSA PRIVATE KEY" or "BEGIN EC PRIVATE KEY", as Iris hands out
  boost::json::object PublicJwk() const;
  boost::json::object PrivateJwk() const;
  // RFC 7638 JWK thumbprint (base64url SHA-256): a stable key id.
  std::string Thumbprint() const;

  // The JWS algorithm pinned to this key: RS256 for RSA, ES256 for EC.
  const char* Algorithm() const { return type_ == Type::kRsa ? "RS256" : "ES256"; }

  EVP_PKEY* get() const { return pkey_.get(); }

 private:
  struct Deleter {
    void operator()(EVP_PKEY* p) const;
  };
  Key(EVP_PKEY* p, bool has_private);
  static Result<Key> Check(Key key);
  std::shared_ptr<EVP_PKEY> pkey_;
  Type type_ = Type::kRsa;
  bool has_private_ = false;
};

}  // namespace sfapid
