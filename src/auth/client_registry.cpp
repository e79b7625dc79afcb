#include "auth/client_registry.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace sfapid {

bool RegisteredClient::AllowsIp(std::string_view ip) const {
  for (const auto& r : ranges)
    if (r.Contains(ip)) return true;
  return false;
}

std::string NewClientId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  while (id.size() < 13) {
    unsigned char bytes[32];
    RAND_bytes(bytes, sizeof bytes);
    for (unsigned char b : bytes)
      if (b < 252 && id.size() < 13) id += kAlphabet[b % 36];  // 252 = 7 * 36: no modulo bias
  }
  return id;
}

bool IsValidClientId(std::string_view id) {
  if (id.size() != 13) return false;
  for (char c : id)
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) return false;
  return true;
}

std::optional<double> ParseDurationSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double unit = 1;
  switch (text.back()) {
    case 'd':
      unit = 86400;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'm':
      unit = 60;
      break;
    case 's':
      unit = 1;
      break;
    default:
      unit = 0;
  }
  if (unit != 0)
    text.remove_suffix(1);
  else
    unit = 1;
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v * unit;
}

namespace {

Result<std::shared_ptr<const RegisteredClient>> Parse(ClientRecord record) {
  auto key = Key::FromPem(record.public_key_pem);
  if (!key)
    return Status::Internal("client " + record.client_id +
                            ": stored key is unreadable: " + key.status().message());
  std::vector<Cidr> ranges;
  for (const auto& r : record.ip_ranges)
    if (auto c = ParseCidr(r)) ranges.push_back(*c);
  return std::make_shared<const RegisteredClient>(
      RegisteredClient{std::move(record), std::move(key).value(), std::move(ranges)});
}

}  // namespace

Result<CreatedClient> ClientRegistry::Create(const NewClient& request) {
  if (request.owner.empty()) return Status::InvalidArgument("a client needs an owner (--user)");
  const LevelPolicy& policy = config_.Policy(static_cast<int>(request.level));
  std::vector<std::string> ranges = request.ip_ranges;
  if (ranges.empty()) ranges = {"127.0.0.1/32", "::1/128"};
  for (const auto& r : ranges)
    if (!ParseCidr(r))
      return Status::InvalidField("ip_ranges", "'" + r + "' is not an IP range in CIDR notation");
  if (policy.max_ip_ranges > 0 && static_cast<int>(ranges.size()) > policy.max_ip_ranges)
    return Status::InvalidField(
        "ip_ranges", std::string(ToString(request.level)) + " clients may have at most " +
                         std::to_string(policy.max_ip_ranges) + " IP ranges; " +
                         std::to_string(ranges.size()) + " were given");
  const double max_lifetime = policy.max_lifetime_days * 86400;
  const double lifetime = request.lifetime_seconds.value_or(max_lifetime);
  if (lifetime > max_lifetime + 0.5)
    return Status::InvalidField(
        "lifetime", std::string(ToString(request.level)) + " clients live at most " +
                        std::to_string(static_cast<int64_t>(max_lifetime)) + " seconds (" +
                        std::to_string(policy.max_lifetime_days) + " days)");
  if (request.name.size() > 200 || request.comments.size() > 2000)
    return Status::InvalidField(request.name.size() > 200 ? "name" : "comments",
                                "name (200) or comments (2000 characters) too long");

  CreatedClient created;
  std::optional<Key> key;
  if (request.public_key) {
    auto k = Key::FromPemOrJwk(*request.public_key);
    if (!k) return Status::InvalidField("public_key", "public key: " + k.status().message());
    key = std::move(k).value();
  } else {
    auto k = Key::Generate(request.key_type);
    if (!k) return k.status();
    key = std::move(k).value();
    created.private_key = key;
  }
  ClientRecord& r = created.record;
  r.owner = request.owner;
  r.name = request.name;
  r.comments = request.comments;
  r.level = request.level;
  r.ip_ranges = ranges;
  r.created_at = Now();
  r.expires_at = r.created_at + std::chrono::seconds(static_cast<int64_t>(lifetime));
  r.public_key_pem = key->PublicPem();
  for (int attempt = 0;; ++attempt) {
    r.client_id = NewClientId();
    Status s = store_.CreateClient(r);
    if (s.ok()) break;
    if (s.code() != Code::kAlreadyExists || attempt > 5) return s;
  }
  if (auto parsed = Parse(r)) {
    std::lock_guard lock(mu_);
    clients_[r.client_id] = *parsed;
  }
  return created;
}

ClientRegistry::~ClientRegistry() { Stop(); }

Status ClientRegistry::Revoke(const std::string& client_id) {
  const TimePoint at = Now();
  if (Status s = store_.RevokeClient(client_id, at); !s.ok()) return s;
  std::lock_guard lock(mu_);
  if (auto it = clients_.find(client_id); it != clients_.end() && !it->second->record.revoked_at) {
    auto revoked = std::make_shared<RegisteredClient>(*it->second);
    revoked->record.revoked_at = at;
    it->second = std::move(revoked);
  }
  return Status::Ok();
}

Status ClientRegistry::Reload() {
  auto list = store_.ListClients("");
  if (!list) return list.status();
  std::map<std::string, std::shared_ptr<const RegisteredClient>> fresh;
  for (auto& record : *list) {
    auto parsed = Parse(std::move(record));
    if (!parsed) {
      spdlog::warn("{}", parsed.status().message());
      continue;
    }
    fresh[(*parsed)->record.client_id] = *parsed;
  }
  std::lock_guard lock(mu_);
  clients_ = std::move(fresh);
  return Status::Ok();
}

void ClientRegistry::Start() {
  if (Status s = Reload(); !s.ok()) spdlog::warn("loading API clients failed: {}", s.message());
  refresher_.Start(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(config_.client_refresh_seconds)),
                   [this] {
                     if (Status s = Reload(); !s.ok())
                       spdlog::warn("refreshing API clients failed: {}", s.message());
                   });
}

void ClientRegistry::Stop() { refresher_.Stop(); }

std::shared_ptr<const RegisteredClient> ClientRegistry::Find(const std::string& client_id) const {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client_id);
  return it == clients_.end() ? nullptr : it->second;
}

std::shared_ptr<const RegisteredClient> ClientRegistry::FindFresh(const std::string& client_id) {
  auto record = store_.GetClient(client_id);
  if (!record) return record.status().code() == Code::kNotFound ? nullptr : Find(client_id);
  // The key is what costs to parse (OpenSSL 3's PEM decoder); reuse it when it did not change.
  if (auto known = Find(client_id);
      known && known->record.public_key_pem == record->public_key_pem) {
    auto fresh = std::make_shared<const RegisteredClient>(
        RegisteredClient{std::move(record).value(), known->key, known->ranges});
    std::lock_guard lock(mu_);
    clients_[client_id] = fresh;
    return fresh;
  }
  auto parsed = Parse(std::move(record).value());
  if (!parsed) return nullptr;
  std::lock_guard lock(mu_);
  clients_[client_id] = *parsed;
  return *parsed;
}

}  // namespace sfapid
