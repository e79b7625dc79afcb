// Persistence for authentication: registered API clients, the replay cache of client-assertion
// ids, and the audit trail of tokens issued and refused.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/level.h"
#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

struct ClientRecord {
  std::string client_id;  // 13 lowercase alphanumerics
  std::string owner;      // the API user the client acts for
  std::string name;
  std::string comments;
  Level level = Level::kGreen;
  std::vector<std::string> ip_ranges;  // CIDRs
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> revoked_at;
  std::string public_key_pem;
  std::optional<TimePoint> last_used_at;  // the last token issued to it

  bool ValidAt(TimePoint now) const { return !revoked_at && now < expires_at; }
};

struct AuthAuditRecord {
  TimePoint at;
  std::string client_id;  // as claimed; may be unknown
  std::string user;       // empty when the client is unknown
  std::string ip;
  std::string outcome;  // "issued" | "refused"
  std::string reason;
};

// The server's own token-signing key (docs/security.md): every node signs and verifies with the
// same ones, so they live in the store.
struct StoredSigningKey {
  std::string kid;
  int64_t created_ns = 0;
  std::string private_pem;
};

class AuthStore {
 public:
  virtual ~AuthStore() = default;

  virtual Status CreateClient(const ClientRecord& client) = 0;  // AlreadyExists on a taken id
  virtual Result<ClientRecord> GetClient(const std::string& client_id) = 0;
  // Every client, or one owner's when owner is non-empty; oldest first.
  virtual Result<std::vector<ClientRecord>> ListClients(const std::string& owner) = 0;
  virtual Status RevokeClient(const std::string& client_id, TimePoint at) = 0;
  // Notes that the client got a token (its "last used" on the profile page).
  virtual Status MarkClientUsed(const std::string& client_id, TimePoint at) = 0;

  // Records an assertion id until it expires. Returns false when it was already recorded: a replay.
  virtual Result<bool> RememberAssertionId(const std::string& client_id, const std::string& jti,
                                           TimePoint expires_at) = 0;

  // Token-signing keys, oldest first; adding a kid that exists is AlreadyExists.
  virtual Result<std::vector<StoredSigningKey>> ListSigningKeys() = 0;
  virtual Status AddSigningKey(const StoredSigningKey& key) = 0;
  virtual Status RemoveSigningKey(const std::string& kid) = 0;

  virtual Status AppendAudit(const AuthAuditRecord& record) = 0;
  virtual Result<std::vector<AuthAuditRecord>> ListAudit(int limit) = 0;  // newest first
  // Forgets audit records older than `before`; returns how many.
  virtual Result<int64_t> PruneAudit(TimePoint before) = 0;
};

}  // namespace sfapid
