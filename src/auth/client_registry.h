// The registry of API clients: creates them with the rules of their security level, and keeps an
// in-memory view of every client (parsed key, parsed IP ranges) that token checks read without
// touching the store. The view is reloaded every auth.client_refresh_seconds, so a revocation made
// by another process reaches live tokens within seconds.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/key.h"
#include "config/config.h"
#include "store/auth_store.h"
#include "util/cidr.h"
#include "util/periodic_thread.h"

namespace sfapid {

struct RegisteredClient {
  ClientRecord record;
  Key key;
  std::vector<Cidr> ranges;

  bool AllowsIp(std::string_view ip) const;
};

struct NewClient {
  std::string owner;
  std::string name;
  std::string comments;
  Level level = Level::kGreen;
  std::vector<std::string> ip_ranges;      // empty: loopback only
  std::optional<double> lifetime_seconds;  // empty: the level's maximum
  std::optional<std::string> public_key;   // PEM or JWK text; empty: generate a key pair
  Key::Type key_type = Key::Type::kRsa;    // for a generated key pair
};

struct CreatedClient {
  ClientRecord record;
  std::optional<Key> private_key;  // only when the registry generated the key pair
};

// "13 lowercase alphanumerics", as NERSC's client ids and sfapi_client's key-file reader expect.
std::string NewClientId();
bool IsValidClientId(std::string_view id);
// "2d", "12h", "30m", "45s" or plain seconds.
std::optional<double> ParseDurationSeconds(std::string_view text);

class ClientRegistry {
 public:
  ClientRegistry(const AuthConfig& config, AuthStore& store) : config_(config), store_(store) {}
  ~ClientRegistry();

  // Refuses what the level's rules forbid with InvalidField naming the field: "ip_ranges"
  // (too many, or one wider than the level allows), "lifetime", "name", "comments",
  // "public_key"; FailedPrecondition when the owner has auth.max_clients_per_user valid ones.
  Result<CreatedClient> Create(const NewClient& request);
  Result<std::vector<ClientRecord>> ListOwnedBy(const std::string& owner) {
    return store_.ListClients(owner);
  }

  AuthStore& store() { return store_; }
  // Revokes the client in the store and in this process's view at once (other processes see it
  // within auth.client_refresh_seconds).
  Status Revoke(const std::string& client_id);

  // Loads every client, then keeps the view fresh in the background.
  void Start();
  void Stop();
  Status Reload();

  // From the in-memory view; nullptr when unknown. Token issuance calls FindFresh, which also asks
  // the store, so a client created a moment ago can get its first token at once.
  std::shared_ptr<const RegisteredClient> Find(const std::string& client_id) const;
  std::shared_ptr<const RegisteredClient> FindFresh(const std::string& client_id);

 private:
  const AuthConfig& config_;
  AuthStore& store_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const RegisteredClient>> clients_;
  PeriodicThread refresher_;

  Status CheckRoomFor(const std::string& owner);
};

}  // namespace sfapid
