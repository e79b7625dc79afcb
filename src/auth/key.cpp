#include "auth/key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <boost/json.hpp>

#include "util/base64.h"

namespace sfapid {

namespace json = boost::json;

namespace {

std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

// A big number as the fixed- or minimal-length big-endian bytes JWK uses, base64url-encoded.
std::string BnParam(EVP_PKEY* p, const char* name, int fixed_len = 0) {
  BIGNUM* raw = nullptr;
  if (!EVP_PKEY_get_bn_param(p, name, &raw)) return "";
  BnPtr bn(raw, BN_free);
  const int len = fixed_len ? fixed_len : BN_num_bytes(bn.get());
  std::string bytes(static_cast<size_t>(len), '\0');
  BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()), len);
  return Base64UrlEncode(bytes);
}

Result<BnPtr> JwkNumber(const json::object& jwk, const char* member) {
  const json::value* v = jwk.if_contains(member);
  if (!v || !v->is_string())
    return Status::InvalidArgument(std::string("JWK has no '") + member + "'");
  auto bytes = Base64Decode(v->as_string());
  if (!bytes || bytes->empty())
    return Status::InvalidArgument(std::string("JWK member '") + member + "' is not base64url");
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()),
                         static_cast<int>(bytes->size()), nullptr),
               BN_free);
}

}  // namespace

void Key::Deleter::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

Key::Key(EVP_PKEY* p, bool has_private) : pkey_(p, Deleter{}), has_private_(has_private) {
  type_ = EVP_PKEY_is_a(p, "EC") ? Type::kEc : Type::kRsa;
}

Result<Key> Key::Check(Key key) {
  EVP_PKEY* p = key.get();
  if (EVP_PKEY_is_a(p, "RSA")) {
    if (EVP_PKEY_get_bits(p) < 2048)
      return Status::InvalidArgument("RSA keys must have at least 2048 bits; this one has " +
                                     std::to_string(EVP_PKEY_get_bits(p)));
    return key;
  }
  if (EVP_PKEY_is_a(p, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(p, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) ||
        std::string_view(group) != "prime256v1")
      return Status::InvalidArgument(std::string("EC keys must be on P-256; this one is on ") +
                                     (group[0] ? group : "an unknown curve"));
    return key;
  }
  return Status::InvalidArgument("keys must be RSA (2048 bits or more) or EC P-256");
}

Result<Key> Key::Generate(Type type) {
  EVP_PKEY* p = type == Type::kRsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!p) return Status::Internal("key generation failed: " + OpenSslError());
  return Key(p, true);
}

Result<Key> Key::FromPem(std::string_view pem) {
  if (pem.size() > 64 * 1024) return Status::InvalidArgument("key text is larger than 64 KiB");
  {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (EVP_PKEY* p = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")))
      return Check(Key(p, true));
  }
  ERR_clear_error();
  {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (EVP_PKEY* p = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr))
      return Check(Key(p, false));
  }
  ERR_clear_error();
  return Status::InvalidArgument("not a PEM public or private key (or an encrypted one)");
}

Result<Key> Key::FromPublicJwk(const json::object& jwk) {
  const json::value* kty = jwk.if_contains("kty");
  if (!kty || !kty->is_string()) return Status::InvalidArgument("JWK has no 'kty'");
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  const char* type;
  std::vector<BnPtr> keep;
  std::string point;
  if (kty->as_string() == "RSA") {
    type = "RSA";
    auto n = JwkNumber(jwk, "n");
    if (!n) return n.status();
    auto e = JwkNumber(jwk, "e");
    if (!e) return e.status();
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n->get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e->get());
    keep.push_back(std::move(n).value());
    keep.push_back(std::move(e).value());
  } else if (kty->as_string() == "EC") {
    type = "EC";
    const json::value* crv = jwk.if_contains("crv");
    if (!crv || !crv->is_string() || crv->as_string() != "P-256")
      return Status::InvalidArgument("EC JWKs must have crv P-256");
    auto x = jwk.if_contains("x"), y = jwk.if_contains("y");
    if (!x || !y || !x->is_string() || !y->is_string())
      return Status::InvalidArgument("EC JWK needs 'x' and 'y'");
    auto xb = Base64Decode(x->as_string()), yb = Base64Decode(y->as_string());
    if (!xb || !yb || xb->size() != 32 || yb->size() != 32)
      return Status::InvalidArgument("EC JWK 'x' and 'y' must be 32 bytes of base64url each");
    point = "\x04" + *xb + *yb;
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
  } else {
    return Status::InvalidArgument("JWK kty must be RSA or EC");
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                                 OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* p = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &p, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return Status::InvalidArgument("JWK is not a valid key: " + OpenSslError());
  return Check(Key(p, false));
}

Result<Key> Key::FromPemOrJwk(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return Status::InvalidArgument("key is neither PEM nor a JSON JWK");
    return FromPublicJwk(v.as_object());
  }
  return FromPem(text);
}

int Key::bits() const { return EVP_PKEY_get_bits(pkey_.get()); }

std::string Key::PublicPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), pkey_.get());
  return BioText(bio.get());
}

std::string Key::PrivatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey_traditional(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr);
  return BioText(bio.get());
}

json::object Key::PublicJwk() const {
  EVP_PKEY* p = pkey_.get();
  if (type_ == Type::kRsa)
    return {{"kty", "RSA"},
            {"n", BnParam(p, OSSL_PKEY_PARAM_RSA_N)},
            {"e", BnParam(p, OSSL_PKEY_PARAM_RSA_E)}};
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"x", BnParam(p, OSSL_PKEY_PARAM_EC_PUB_X, 32)},
          {"y", BnParam(p, OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
}

json::object Key::PrivateJwk() const {
  json::object jwk = PublicJwk();
  EVP_PKEY* p = pkey_.get();
  if (type_ == Type::kRsa) {
    jwk["d"] = BnParam(p, OSSL_PKEY_PARAM_RSA_D);
    jwk["p"] = BnParam(p, OSSL_PKEY_PARAM_RSA_FACTOR1);
    jwk["q"] = BnParam(p, OSSL_PKEY_PARAM_RSA_FACTOR2);
    jwk["dp"] = BnParam(p, OSSL_PKEY_PARAM_RSA_EXPONENT1);
    jwk["dq"] = BnParam(p, OSSL_PKEY_PARAM_RSA_EXPONENT2);
    jwk["qi"] = BnParam(p, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
  } else {
    jwk["d"] = BnParam(p, OSSL_PKEY_PARAM_PRIV_KEY, 32);
  }
  return jwk;
}

std::string Key::Thumbprint() const {
  const json::object jwk = PublicJwk();
  // RFC 7638: the required members in lexicographic order, no white space.
  std::string canonical =
      type_ == Type::kRsa
          ? "{\"e\":\"" + std::string(jwk.at("e").as_string()) + "\",\"kty\":\"RSA\",\"n\":\"" +
                std::string(jwk.at("n").as_string()) + "\"}"
          : "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + std::string(jwk.at("x").as_string()) +
                "\",\"y\":\"" + std::string(jwk.at("y").as_string()) + "\"}";
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(canonical.data(), canonical.size(), digest, &len, EVP_sha256(), nullptr);
  return Base64UrlEncode(std::string_view(reinterpret_cast<char*>(digest), len));
}

}  // namespace sfapid
