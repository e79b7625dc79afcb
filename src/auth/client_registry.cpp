#include "auth/client_registry.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
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

// `known`: the client as parsed before, whose key is reused while its text is the same (the key
// is what costs to parse, OpenSSL 3's PEM decoder, and Reload parses every client every few
// seconds).
Result<std::shared_ptr<const RegisteredClient>> Parse(ClientRecord record,
                                                      const RegisteredClient* known = nullptr) {
  std::optional<Key> key;
  if (known && known->record.public_key_pem == record.public_key_pem) {
    key = known->key;
  } else {
    auto parsed = Key::FromPem(record.public_key_pem);
    if (!parsed)
      return Status::Internal("client " + record.client_id +
                              ": stored key is unreadable: " + parsed.status().message());
    key = std::move(parsed).value();
  }
  std::vector<Cidr> ranges;
  for (const auto& r : record.ip_ranges)
    if (auto c = ParseCidr(r)) ranges.push_back(*c);
  return std::make_shared<const RegisteredClient>(
      RegisteredClient{std::move(record), std::move(*key), std::move(ranges)});
}

// Refuses a range wider than the level allows. A range inside the IPv4-mapped space
// (::ffff:0:0/96) is an IPv4 range; an IPv6 range holding that whole space (::/0, ::/48, the
// space itself) holds every IPv4 address too, so it is as wide as 0.0.0.0/0 for IPv4 clients.
Status CheckWidth(const std::string& text, const Cidr& range, const LevelPolicy& policy,
                  Level level) {
  std::array<uint8_t, 16> mapped{};
  mapped[10] = mapped[11] = 0xff;
  const bool ipv4 = range.prefix_bits >= 96 &&
                    std::equal(mapped.begin(), mapped.begin() + 12, range.address.begin());
  const bool holds_ipv4 = !ipv4 && range.Contains(mapped);
  const auto refuse = [&](const char* family, int min_prefix) {
    return Status::InvalidField(
        "ip_ranges", std::string(ToString(level)) + " clients may name " + family + " ranges of /" +
                         std::to_string(min_prefix) + " or narrower; '" + text + "' is wider");
  };
  if ((ipv4 || holds_ipv4) && policy.min_ipv4_prefix > 0 &&
      (ipv4 ? range.prefix_bits - 96 : 0) < policy.min_ipv4_prefix)
    return refuse("IPv4", policy.min_ipv4_prefix);
  if (!ipv4 && range.prefix_bits < policy.min_ipv6_prefix)
    return refuse("IPv6", policy.min_ipv6_prefix);
  return Status::Ok();
}

}  // namespace

Status ClientRegistry::CheckRoomFor(const std::string& owner) {
  if (config_.max_clients_per_user <= 0) return Status::Ok();
  auto mine = store_.ListClients(owner);
  if (!mine) return mine.status();
  const TimePoint now = Now();
  const auto valid = std::count_if(mine->begin(), mine->end(), [&](const ClientRecord& c) {
    return !c.revoked_at && c.expires_at > now;
  });
  if (valid >= config_.max_clients_per_user)
    return Status::FailedPrecondition(
        owner + " has " + std::to_string(valid) + " valid API clients, the most a user may have (" +
        std::to_string(config_.max_clients_per_user) + "); delete one first");
  return Status::Ok();
}

Result<CreatedClient> ClientRegistry::Create(const NewClient& request) {
  if (request.owner.empty()) return Status::InvalidArgument("a client needs an owner (--user)");
  const LevelPolicy& policy = config_.Policy(static_cast<int>(request.level));
  std::vector<std::string> ranges = request.ip_ranges;
  if (ranges.empty()) ranges = {"127.0.0.1/32", "::1/128"};
  if (policy.max_ip_ranges > 0 && static_cast<int>(ranges.size()) > policy.max_ip_ranges)
    return Status::InvalidField(
        "ip_ranges", std::string(ToString(request.level)) + " clients may have at most " +
                         std::to_string(policy.max_ip_ranges) + " IP ranges; " +
                         std::to_string(ranges.size()) + " were given");
  for (const auto& r : ranges) {
    auto range = ParseCidr(r);
    if (!range)
      return Status::InvalidField("ip_ranges", "'" + r + "' is not an IP range in CIDR notation");
    if (Status s = CheckWidth(r, *range, policy, request.level); !s.ok()) return s;
  }
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
  if (Status s = CheckRoomFor(request.owner); !s.ok()) return s;

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
  std::map<std::string, std::shared_ptr<const RegisteredClient>> known;
  {
    std::lock_guard lock(mu_);
    known = clients_;
  }
  std::map<std::string, std::shared_ptr<const RegisteredClient>> fresh;
  for (auto& record : *list) {
    auto it = known.find(record.client_id);
    auto parsed = Parse(std::move(record), it == known.end() ? nullptr : it->second.get());
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
  const auto known = Find(client_id);
  auto parsed = Parse(std::move(record).value(), known.get());
  if (!parsed) return nullptr;
  std::lock_guard lock(mu_);
  clients_[client_id] = *parsed;
  return *parsed;
}

}  // namespace sfapid
