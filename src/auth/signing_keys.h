// The server's own keys for signing access tokens (ES256), kept in the store so that every node
// signs and verifies with the same ones. The newest signs; older ones stay valid for verification
// until every token they signed has expired, then `sfapid keys rotate` prunes them. A rotation
// made through any node (or the CLI) signs the next token everywhere (the ring's kids are read
// when signing), and a token naming a kid a node does not know makes it read the ring. Keys an
// older sfapid kept as files in <data_dir>/keys are imported on first start.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/key.h"
#include "store/auth_store.h"
#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

struct SigningKey {
  std::string kid;
  int64_t created_ns = 0;  // orders keys made within the same second
  Key key;

  TimePoint created() const { return TimePoint{std::chrono::seconds{created_ns / 1000000000}}; }
};

class SigningKeys {
 public:
  // legacy_dir: where an older sfapid kept its key files (imported once).
  SigningKeys(AuthStore& store, std::string legacy_dir, double token_lifetime_seconds)
      : store_(store),
        legacy_dir_(std::move(legacy_dir)),
        token_lifetime_seconds_(token_lifetime_seconds) {}

  // Loads the keys, importing old key files and generating the first key when there is none.
  Status LoadOrCreate();
  // Adds a new signing key and removes keys whose tokens have all expired. Returns the new kid.
  Result<std::string> Rotate();

  std::shared_ptr<const SigningKey> Current();
  // A key by kid; an unknown kid reloads the ring (at most once a second) in case another node
  // rotated.
  std::shared_ptr<const SigningKey> Find(const std::string& kid);
  // {"keys": [public JWKs with kid, alg, use]}
  boost::json::object Jwks() const;

 private:
  Status Load();
  Status Load(std::vector<StoredSigningKey> stored);
  // Reloads when the store's ring differs from the loaded one.
  void ReloadIfRotated();
  Status ImportLegacyFiles();
  Result<std::shared_ptr<const SigningKey>> Generate();

  AuthStore& store_;
  std::string legacy_dir_;
  double token_lifetime_seconds_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const SigningKey>> keys_;  // oldest first
  std::chrono::steady_clock::time_point last_reload_{};
};

}  // namespace sfapid
