// The server's callback key and the per-client secrets derived from it. Deriving (HMAC of the
// client id) instead of storing a secret per client means an operator can print a client's secret
// at any time, and replacing the one key file changes every secret at once.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace sfapid {

class CallbackKey {
 public:
  // Loads <key_dir>/callback.key (64 hex digits: 32 random bytes), creating it (0600) and the
  // folder (0700) when missing. Safe when two processes (server and CLI) do it at once.
  static Result<CallbackKey> LoadOrCreate(const std::string& key_dir);

  // The secret a client's callbacks are signed with: lowercase hex of
  // HMAC-SHA256(server key, client_id). Users key their own HMAC with these 64 ASCII characters.
  std::string SecretFor(const std::string& client_id) const;

 private:
  explicit CallbackKey(std::string key) : key_(std::move(key)) {}
  std::string key_;  // the 32 raw bytes
};

// Lowercase hex of HMAC-SHA256(key, data).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

}  // namespace sfapid
