// The server's own keys for signing access tokens (ES256), kept as 0600 PEM files in
// <data_dir>/keys named "<created, ns since 1970>-<kid>.pem". The newest signs; older ones stay
// valid for verification until every token they signed has expired, then `sfapid keys rotate`
// prunes them.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/key.h"
#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

struct SigningKey {
  std::string kid;
  int64_t created_ns = 0;  // orders keys made within the same second
  Key key;

  TimePoint created() const { return TimePoint{std::chrono::seconds{created_ns / 1000000000}}; }
  std::string FileName() const { return std::to_string(created_ns) + "-" + kid + ".pem"; }
};

class SigningKeys {
 public:
  SigningKeys(std::string dir, double token_lifetime_seconds)
      : dir_(std::move(dir)), token_lifetime_seconds_(token_lifetime_seconds) {}

  // Loads the folder, generating the first key when there is none.
  Status LoadOrCreate();
  // Adds a new signing key and removes keys whose tokens have all expired. Returns the new kid.
  Result<std::string> Rotate();

  std::shared_ptr<const SigningKey> Current();
  // A key by kid; an unknown kid reloads the folder (at most once a second) in case another
  // process rotated.
  std::shared_ptr<const SigningKey> Find(const std::string& kid);
  // {"keys": [public JWKs with kid, alg, use]}
  boost::json::object Jwks() const;

 private:
  Status Load();
  // Reloads when the folder changed (another process rotated): one stat() per call.
  void ReloadIfChanged();
  Result<std::shared_ptr<const SigningKey>> Generate();

  std::string dir_;
  double token_lifetime_seconds_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const SigningKey>> keys_;  // oldest first
  std::chrono::steady_clock::time_point last_reload_{};
  int64_t loaded_mtime_ns_ = -1;
};

}  // namespace sfapid
