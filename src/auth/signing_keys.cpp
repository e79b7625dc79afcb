#include "auth/signing_keys.h"

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/log_status.h"

namespace sfapid {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {}  // namespace

void SigningKeys::ReloadIfRotated() {
  // A few short rows: cheap next to the token's own writes; the keys are parsed again only when
  // the ring changed (a rotation through any node or the CLI signs the very next token).
  auto stored = store_.ListSigningKeys();
  if (!stored) {
    spdlog::warn("reading the token-signing keys failed (the ones loaded before stay in use): {}",
                 stored.status().message());
    return;
  }
  {
    std::lock_guard lock(mu_);
    bool same = stored->size() == keys_.size();
    for (size_t i = 0; same && i < keys_.size(); ++i) same = (*stored)[i].kid == keys_[i]->kid;
    if (same) return;
  }
  LogIfFailed(Load(std::move(stored).value()),
              "reloading the token-signing keys (the ones loaded before stay in use)");
}

Status SigningKeys::Load() {
  auto stored = store_.ListSigningKeys();
  if (!stored) return stored.status();
  return Load(std::move(stored).value());
}

Status SigningKeys::Load(std::vector<StoredSigningKey> stored) {
  std::vector<std::shared_ptr<const SigningKey>> keys;
  for (const auto& k : stored) {
    auto key = Key::FromPem(k.private_pem);
    if (!key || !key->has_private()) {
      spdlog::warn("token-signing key {} in the store is unreadable; skipped", k.kid);
      continue;
    }
    keys.push_back(std::make_shared<const SigningKey>(
        SigningKey{k.kid, k.created_ns, std::move(key).value()}));
  }
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a->created_ns < b->created_ns; });
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
  last_reload_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status SigningKeys::ImportLegacyFiles() {
  std::error_code ec;
  if (legacy_dir_.empty() || !fs::is_directory(legacy_dir_, ec)) return Status::Ok();
  for (const auto& entry : fs::directory_iterator(legacy_dir_, ec)) {
    const std::string name = entry.path().filename().string();
    const auto dash = name.find('-');
    if (dash == std::string::npos || entry.path().extension() != ".pem") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto key = Key::FromPem(text.str());
    if (!key || !key->has_private()) continue;
    const std::string kid = name.substr(dash + 1, name.size() - dash - 1 - 4);
    Status s = store_.AddSigningKey({kid, std::atoll(name.substr(0, dash).c_str()), text.str()});
    if (!s.ok() && s.code() != Code::kAlreadyExists) return s;
    spdlog::info("imported token-signing key {} from {} into the store", kid, legacy_dir_);
  }
  return Status::Ok();
}

Result<std::shared_ptr<const SigningKey>> SigningKeys::Generate() {
  auto key = Key::Generate(Key::Type::kEc);
  if (!key) return key.status();
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  auto made = std::make_shared<const SigningKey>(
      SigningKey{key->Thumbprint().substr(0, 16), now_ns, std::move(key).value()});
  if (Status s = store_.AddSigningKey({made->kid, made->created_ns, made->key.PrivatePem()});
      !s.ok())
    return s;
  return made;
}

Status SigningKeys::LoadOrCreate() {
  if (Status s = Load(); !s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    if (!keys_.empty()) return Status::Ok();
  }
  if (Status s = ImportLegacyFiles(); !s.ok()) return s;
  if (Status s = Load(); !s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    if (!keys_.empty()) return Status::Ok();
  }
  // Two nodes starting on a new store may both make one: both are valid, the newer signs.
  auto key = Generate();
  if (!key) return key.status();
  return Load();
}

Result<std::string> SigningKeys::Rotate() {
  if (Status s = LoadOrCreate(); !s.ok()) return s;
  auto fresh = Generate();
  if (!fresh) return fresh.status();
  // A key retired when its successor was created; tokens it signed live token_lifetime after that.
  const auto grace = std::chrono::seconds(static_cast<int64_t>(token_lifetime_seconds_) + 60);
  std::vector<std::string> expired;
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i + 1 < keys_.size(); ++i)
      if (keys_[i + 1]->created() + grace < Now()) expired.push_back(keys_[i]->kid);
  }
  for (const auto& kid : expired)
    if (Status s = store_.RemoveSigningKey(kid); !s.ok()) return s;
  if (Status s = Load(); !s.ok()) return s;
  return (*fresh)->kid;
}

std::shared_ptr<const SigningKey> SigningKeys::Current() {
  ReloadIfRotated();
  std::lock_guard lock(mu_);
  return keys_.empty() ? nullptr : keys_.back();
}

std::shared_ptr<const SigningKey> SigningKeys::Find(const std::string& kid) {
  {
    std::lock_guard lock(mu_);
    for (const auto& k : keys_)
      if (k->kid == kid) return k;
    if (std::chrono::steady_clock::now() - last_reload_ < std::chrono::seconds(1)) return nullptr;
  }
  if (!Load().ok()) return nullptr;
  std::lock_guard lock(mu_);
  for (const auto& k : keys_)
    if (k->kid == kid) return k;
  return nullptr;
}

json::object SigningKeys::Jwks() const {
  json::array keys;
  std::lock_guard lock(mu_);
  for (const auto& k : keys_) {
    json::object jwk = k->key.PublicJwk();
    jwk["kid"] = k->kid;
    jwk["alg"] = k->key.Algorithm();
    jwk["use"] = "sig";
    keys.push_back(std::move(jwk));
  }
  return {{"keys", std::move(keys)}};
}

}  // namespace sfapid
