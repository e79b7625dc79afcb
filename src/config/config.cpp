#include "config/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/section_readers.h"

namespace sfapid {

const char* ToString(SystemType t) {
  switch (t) {
    case SystemType::kCompute:
      return "compute";
    case SystemType::kFilesystem:
      return "filesystem";
    case SystemType::kService:
      return "service";
    case SystemType::kStorage:
      return "storage";
  }
  return "service";
}

const char* ToString(ContainerRuntime r) {
  switch (r) {
    case ContainerRuntime::kNone:
      return "none";
    case ContainerRuntime::kApptainer:
      return "apptainer";
    case ContainerRuntime::kPyxis:
      return "pyxis";
  }
  return "none";
}

const SystemConfig* FindSystem(const std::vector<SystemConfig>& systems, std::string_view name) {
  for (const auto& s : systems)
    if (s.name == name) return &s;
  return nullptr;
}

const SystemConfig* Config::FindSystem(std::string_view name) const {
  return sfapid::FindSystem(systems, name);
}

std::string Config::DataPath(const std::string& relative) const {
  if (!relative.empty() && relative.front() == '/') return relative;
  return (std::filesystem::path(data_dir) / relative).string();
}

std::string PublicBaseUrl(const ServerConfig& server) {
  std::string host = server.listen;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(server.port);
}

std::string TokenUrl(const ServerConfig& server, const AuthConfig& auth) {
  return auth.token_url.empty() ? PublicBaseUrl(server) + auth.token_path : auth.token_url;
}

std::string Issuer(const ServerConfig& server, const AuthConfig& auth) {
  return auth.issuer.empty() ? PublicBaseUrl(server) : auth.issuer;
}

std::string Config::PublicBaseUrl() const { return sfapid::PublicBaseUrl(server); }
std::string Config::TokenUrl() const { return sfapid::TokenUrl(server, auth); }
std::string Config::Issuer() const { return sfapid::Issuer(server, auth); }

namespace {

using namespace config_reading;

std::string ExpandHome(const std::string& path) {
  if (path == "~" || path.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "/") + path.substr(1);
  }
  return path;
}

// The sections in the order of the file's documentation, then what spans them.
Config ReadConfig(const toml::table& root, const std::string& source) {
  Config c;
  TableReader r(root, source, "");
  c.data_dir = "~/.local/share/sfapid";
  r.Read("data_dir", c.data_dir);
  c.data_dir = ExpandHome(c.data_dir);
  r.Require(!c.data_dir.empty(), "data_dir", "must not be empty");
  c.data_dir = std::filesystem::absolute(c.data_dir).lexically_normal().string();

  ReadServer(r, c.server);
  ReadStore(r, c.store);
  ReadStatus(r, c.status);
  ReadAuth(r, c.auth);
  ReadWeb(r, c.web);
  ReadUtilities(r, c.utilities);
  ReadCallbacks(r, c.callbacks);
  ReadTasks(r, c.tasks);
  ReadEvents(r, c.events);
  ReadRateLimits(r, c.rate_limits);
  const std::vector<EndpointAt> endpoints = ReadTransfers(r, c.transfers);
  ReadRunAs(r, c.runas);
  ReadAccounts(r, c.accounts);
  ReadSystems(r, c.systems);
  ReadFacility(r, c.facility);
  r.RejectUnknown();
  if (c.systems.empty()) r.Fail(root, "systems", "at least one [[systems]] entry is needed");
  for (const auto& [node, ep] : endpoints) {
    const SystemConfig* s = c.FindSystem(ep.system);
    if (!s || !s->HasFiles())
      r.Fail(*node, "transfers.endpoints",
             "endpoint '" + ep.id + "' names '" + ep.system +
                 "', which is not a compute or filesystem system");
  }
  return c;
}

}  // namespace

Result<Config> ParseConfig(const std::string& text, const std::string& source_name) {
  try {
    toml::table root = toml::parse(text, source_name);
    return ReadConfig(root, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    m << source_name << ":" << e.source().begin.line << ": " << e.description();
    return Status::InvalidArgument(m.str());
  } catch (const config_reading::ConfigError& e) {
    return Status::InvalidArgument(e.message);
  }
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read config file '" + path + "'");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseConfig(buf.str(), path);
}

Result<Config> LoadDefaultConfig() { return ParseConfig(DefaultConfigText(), "<default config>"); }

}  // namespace sfapid
