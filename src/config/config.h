// The server's configuration: one TOML file, validated as a whole before anything starts. The
// embedded default (DefaultConfigText) is what `sfapid config default` prints and what runs when no
// file is given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid {

enum class SystemType { kCompute, kFilesystem, kService, kStorage };
const char* ToString(SystemType t);

struct SchedulerConfig {
  std::string backend;    // "local" (embedded); "slurm" arrives with its own backend
  std::string spool_dir;  // local scheduler: where job state lives; relative to data_dir
};

struct SystemConfig {
  std::string name;
  std::string full_name;
  SystemType system_type = SystemType::kService;
  std::string description;
  SchedulerConfig scheduler;  // compute systems only
};

struct ServerConfig {
  std::string listen = "127.0.0.1";
  uint16_t port = 8080;
  int threads = 2;
  int blocking_threads = 4;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  double idle_timeout_seconds = 30;
  double request_timeout_seconds = 60;
  double shutdown_grace_seconds = 10;
  int max_connections = 1024;
  std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For is believed
  std::string web_root;                      // Swagger UI assets; empty = the built-in location
  bool access_log = true;
};

struct StoreConfig {
  std::string sqlite_path = "sfapid.db";  // relative to data_dir
};

struct StatusConfig {
  double probe_interval_seconds = 10;
  double refresh_interval_seconds = 1;  // how soon operator changes reach the API
};

struct Config {
  std::string data_dir;  // absolute after loading ("~" expanded)
  ServerConfig server;
  StoreConfig store;
  StatusConfig status;
  std::vector<SystemConfig> systems;

  const SystemConfig* FindSystem(std::string_view name) const;
  // Absolute path of a file or folder named relative to data_dir.
  std::string DataPath(const std::string& relative) const;
};

// The commented default configuration, embedded in the binary.
const std::string& DefaultConfigText();

// Parses and validates. Errors name the key and its line: "config.toml:12: unknown key 'portt'".
Result<Config> ParseConfig(const std::string& text, const std::string& source_name);
Result<Config> LoadConfigFile(const std::string& path);
Result<Config> LoadDefaultConfig();

}  // namespace sfapid
