#include "auth/signing_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/log_status.h"
#include "util/private_files.h"

namespace sfapid {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

Status WritePrivateFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + path + ": " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || !synced) return Status::Unavailable("cannot write " + path);
  return Status::Ok();
}

}  // namespace

namespace {
int64_t FolderMtimeNs(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}
}  // namespace

void SigningKeys::ReloadIfChanged() {
  const int64_t mtime = FolderMtimeNs(dir_);
  {
    std::lock_guard lock(mu_);
    if (mtime == loaded_mtime_ns_) return;
  }
  LogIfFailed(Load(), "reloading the token-signing keys (the ones loaded before stay in use)");
}

Status SigningKeys::Load() {
  const int64_t mtime = FolderMtimeNs(dir_);
  std::vector<std::shared_ptr<const SigningKey>> keys;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    const auto dash = name.find('-');
    if (dash == std::string::npos || entry.path().extension() != ".pem") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto key = Key::FromPem(text.str());
    if (!key || !key->has_private()) continue;
    const std::string kid = name.substr(dash + 1, name.size() - dash - 1 - 4);
    keys.push_back(std::make_shared<const SigningKey>(
        SigningKey{kid, std::atoll(name.substr(0, dash).c_str()), std::move(key).value()}));
  }
  if (ec) return Status::Unavailable("cannot read key folder " + dir_ + ": " + ec.message());
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a->created_ns < b->created_ns; });
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
  last_reload_ = std::chrono::steady_clock::now();
  loaded_mtime_ns_ = mtime;
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
  if (Status s = WritePrivateFile(dir_ + "/" + made->FileName(), made->key.PrivatePem()); !s.ok())
    return s;
  return made;
}

Status SigningKeys::LoadOrCreate() {
  if (Status s = EnsurePrivateDir(dir_); !s.ok()) return s;
  if (Status s = Load(); !s.ok()) return s;
  if (Current()) return Status::Ok();
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
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i + 1 < keys_.size(); ++i)
      if (keys_[i + 1]->created() + grace < Now()) fs::remove(dir_ + "/" + keys_[i]->FileName());
  }
  if (Status s = Load(); !s.ok()) return s;
  return (*fresh)->kid;
}

std::shared_ptr<const SigningKey> SigningKeys::Current() {
  ReloadIfChanged();
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
