#include "config/config.h"

#include <pwd.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "util/byte_size.h"
#include "util/cidr.h"

namespace sfapid {

const char *ToString(SystemType t) {
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

const SystemConfig *FindSystem(const std::vector<SystemConfig> &systems,
                               std::string_view name) {
  for (const auto &s : systems)
    if (s.name == name)
      return &s;
  return nullptr;
}

const SystemConfig *Config::FindSystem(std::string_view name) const {
  return sfapid::FindSystem(systems, name);
}

std::string Config::DataPath(const std::string &relative) const {
  if (!relative.empty() && relative.front() == '/')
    return relative;
  return (std::filesystem::path(data_dir) / relative).string();
}

std::string PublicBaseUrl(const ServerConfig &server) {
  std::string host = server.listen;
  if (host == "0.0.0.0")
    host = "127.0.0.1";
  if (host == "::")
    host = "::1";
  if (host.find(':') != std::string::npos)
    host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(server.port);
}

std::string TokenUrl(const ServerConfig &server, const AuthConfig &auth) {
  return auth.token_url.empty() ? PublicBaseUrl(server) + auth.token_path
                                : auth.token_url;
}

std::string Issuer(const ServerConfig &server, const AuthConfig &auth) {
  return auth.issuer.empty() ? PublicBaseUrl(server) : auth.issuer;
}

std::string Config::PublicBaseUrl() const {
  return sfapid::PublicBaseUrl(server);
}
std::string Config::TokenUrl() const { return sfapid::TokenUrl(server, auth); }
std::string Config::Issuer() const { return sfapid::Issuer(server, auth); }

namespace {

// A validation failure, thrown only inside this file and turned into a Status
// at its edge.
struct ConfigError {
  std::string message;
};

// Reads one TOML table, remembering which keys were read so that the rest can
// be reported as unknown. Every error names the source, line and dotted key.
class TableReader {
public:
  TableReader(const toml::table &t, std::string source, std::string prefix)
      : table_(t), source_(std::move(source)), prefix_(std::move(prefix)) {}

  [[noreturn]] void Fail(const toml::node &n, const std::string &key,
                         const std::string &what) const {
    throw ConfigError{source_ + ":" + std::to_string(n.source().begin.line) +
                      ": " + Dotted(key) + ": " + what};
  }

  template <typename T> void Read(const std::string &key, T &out) {
    seen_.insert(key);
    const toml::node *n = table_.get(key);
    if (!n)
      return;
    if constexpr (std::is_same_v<T, std::string>) {
      if (!n->is_string())
        Fail(*n, key, "must be a string");
      out = n->as_string()->get();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!n->is_boolean())
        Fail(*n, key, "must be true or false");
      out = n->as_boolean()->get();
    } else if constexpr (std::is_same_v<T, double>) {
      if (!n->is_number())
        Fail(*n, key, "must be a number");
      out = n->value<double>().value();
      if (out < 0)
        Fail(*n, key, "must not be negative");
    } else {
      static_assert(std::is_integral_v<T>);
      if (!n->is_integer())
        Fail(*n, key, "must be a whole number");
      const int64_t v = n->as_integer()->get();
      if (v < 0 || static_cast<uint64_t>(v) >
                       static_cast<uint64_t>(std::numeric_limits<T>::max()))
        Fail(*n, key,
             "is out of range (0 to " +
                 std::to_string(std::numeric_limits<T>::max()) + ")");
      out = static_cast<T>(v);
    }
  }

  void ReadStrings(const std::string &key, std::vector<std::string> &out) {
    seen_.insert(key);
    const toml::node *n = table_.get(key);
    if (!n)
      return;
    if (!n->is_array())
      Fail(*n, key, "must be a list of strings");
    out.clear();
    for (const auto &item : *n->as_array()) {
      if (!item.is_string())
        Fail(item, key, "must be a list of strings");
      out.push_back(item.as_string()->get());
    }
  }

  // A sub-table, or nullptr when absent.
  const toml::table *Table(const std::string &key) {
    seen_.insert(key);
    const toml::node *n = table_.get(key);
    if (!n)
      return nullptr;
    if (!n->is_table())
      Fail(*n, key, "must be a table");
    return n->as_table();
  }

  const toml::array *TableArray(const std::string &key) {
    seen_.insert(key);
    const toml::node *n = table_.get(key);
    if (!n)
      return nullptr;
    if (!n->is_array_of_tables())
      Fail(*n, key, "must be an array of tables ([[" + key + "]])");
    return n->as_array();
  }

  // Call last: every key that no Read* asked for is an error.
  void RejectUnknown() const {
    for (const auto &[k, v] : table_)
      if (!seen_.count(std::string(k.str())))
        Fail(v, std::string(k.str()), "unknown key");
  }

  // Fails with the key's line when a value that was read breaks a rule.
  void Require(bool ok, const std::string &key, const std::string &what) const {
    if (!ok)
      Fail(NodeOr(key), key, what);
  }

  const toml::node &NodeOr(const std::string &key) const {
    const toml::node *n = table_.get(key);
    return n ? *n : static_cast<const toml::node &>(table_);
  }

  std::string Dotted(const std::string &key) const {
    return "'" + (prefix_.empty() ? key : prefix_ + "." + key) + "'";
  }
  const std::string &source() const { return source_; }

private:
  const toml::table &table_;
  std::string source_;
  std::string prefix_;
  std::set<std::string> seen_;
};

std::string ExpandHome(const std::string &path) {
  if (path == "~" || path.rfind("~/", 0) == 0) {
    const char *home = std::getenv("HOME");
    return std::string(home ? home : "/") + path.substr(1);
  }
  return path;
}

bool ValidSystemName(const std::string &n) {
  if (n.empty() || n.size() > 64)
    return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' &&
        c != '.')
      return false;
  return true;
}

SystemConfig ReadSystem(const toml::table &t, const std::string &source,
                        size_t index) {
  TableReader r(t, source, "systems[" + std::to_string(index) + "]");
  SystemConfig s;
  r.Read("name", s.name);
  r.Require(ValidSystemName(s.name), "name",
            "must be 1-64 letters, digits, '_', '-' or '.'");
  s.full_name = s.name;
  r.Read("full_name", s.full_name);
  r.Read("description", s.description);
  std::string type = "service";
  r.Read("system_type", type);
  if (type == "compute")
    s.system_type = SystemType::kCompute;
  else if (type == "filesystem")
    s.system_type = SystemType::kFilesystem;
  else if (type == "service")
    s.system_type = SystemType::kService;
  else if (type == "storage")
    s.system_type = SystemType::kStorage;
  else
    r.Fail(r.NodeOr("system_type"), "system_type",
           "must be compute, filesystem, service or storage");

  if (const toml::table *sched = r.Table("scheduler")) {
    if (s.system_type != SystemType::kCompute)
      r.Fail(*sched, "scheduler", "only compute systems have a scheduler");
    TableReader sr(*sched, source,
                   "systems[" + std::to_string(index) + "].scheduler");
    sr.Read("backend", s.scheduler.backend);
    sr.Read("spool_dir", s.scheduler.spool_dir);
    SchedulerConfig &sc = s.scheduler;
    sr.Read("nodes", sc.nodes);
    sr.Read("cpus_per_node", sc.cpus_per_node);
    sr.Read("memory_mb_per_node", sc.memory_mb_per_node);
    sr.ReadStrings("partitions", sc.partitions);
    sr.Read("default_time", sc.default_time);
    sr.Read("max_time", sc.max_time);
    sr.Read("default_account", sc.default_account);
    sr.Read("min_job_age_seconds", sc.min_job_age_seconds);
    sr.Read("kill_wait_seconds", sc.kill_wait_seconds);
    sr.Read("purge_jobs_after_days", sc.purge_jobs_after_days);
    sr.Read("max_submit_jobs_per_user", sc.max_submit_jobs_per_user);
    sr.Read("slurm_bin_dir", sc.slurm_bin_dir);
    sr.Read("slurm_cluster", sc.slurm_cluster);
    sr.Read("refresh_interval_seconds", sc.refresh_interval_seconds);
    sr.Read("min_refresh_interval_seconds", sc.min_refresh_interval_seconds);
    sr.Read("sacct_window_days", sc.sacct_window_days);
    sr.Read("command_timeout_seconds", sc.command_timeout_seconds);
    sr.RejectUnknown();
    sr.Require(sc.refresh_interval_seconds >= 0.1, "refresh_interval_seconds",
               "must be at least 0.1");
    sr.Require(sc.command_timeout_seconds > 0, "command_timeout_seconds",
               "must be positive");
    sr.Require(sc.min_refresh_interval_seconds >= 0 &&
                   sc.min_refresh_interval_seconds <=
                       sc.refresh_interval_seconds,
               "min_refresh_interval_seconds",
               "must be between 0 and refresh_interval_seconds");
    sr.Require(sc.nodes >= 1, "nodes", "must be at least 1");
    sr.Require(sc.purge_jobs_after_days >= 0, "purge_jobs_after_days",
               "must not be negative");
    sr.Require(sc.max_submit_jobs_per_user >= 0, "max_submit_jobs_per_user",
               "must not be negative (0: no limit)");
    sr.Require(sc.slurm_cluster.empty() || ValidSystemName(sc.slurm_cluster),
               "slurm_cluster",
               "must be 1-64 letters, digits, '_', '-' or '.'");
    sr.Require(!sc.partitions.empty(), "partitions",
               "must list at least one partition");
    for (const auto &p : sc.partitions)
      sr.Require(ValidSystemName(p), "partitions",
                 "'" + p + "' must be 1-64 letters, digits, '_', '-' or '.'");
    sr.Require(!sc.default_account.empty(), "default_account",
               "must not be empty");
    if (s.scheduler.backend != "local" && s.scheduler.backend != "slurm")
      sr.Fail(sr.NodeOr("backend"), "backend",
              "must be \"local\" or \"slurm\"");
  } else if (s.system_type == SystemType::kCompute) {
    s.scheduler.backend = "local";
  }
  r.ReadStrings("roots", s.roots);
  for (const auto &root : s.roots)
    if (root.empty() || root.front() != '/')
      r.Fail(r.NodeOr("roots"), "roots",
             "'" + root + "' must be an absolute path");
  r.Require(!s.roots.empty(), "roots", "must list at least one folder");
  if (s.system_type == SystemType::kCompute && s.scheduler.spool_dir.empty())
    s.scheduler.spool_dir = "spool/" + s.name;
  r.RejectUnknown();
  return s;
}

// "$USER" in a project's member lists is the account sfapid runs as: the
// embedded default puts whoever runs `make run` in the default project.
std::string ExpandUser(const std::string &name) {
  if (name != "$USER")
    return name;
  const passwd *pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : "root";
}

// A quota: whole bytes, or a string with a unit ("500G", "1.5TiB").
void ReadBytes(TableReader &r, const toml::table &t, const std::string &key,
               int64_t &out) {
  const toml::node *n = t.get(key);
  if (n && n->is_integer())
    return r.Read(key, out);
  std::string text;
  r.Read(key, text);
  if (!n)
    return;
  auto bytes = ParseByteSize(text);
  if (!bytes)
    r.Fail(*n, key,
           "'" + text + "' is not a size like 1048576, 500G or 1.5TiB");
  out = *bytes;
}

// [accounts], [[users]] and [[projects]].
void ReadAccounts(TableReader &r, const std::string &source,
                  AccountsConfig &a) {
  if (const toml::table *t = r.Table("accounts")) {
    TableReader s(*t, source, "accounts");
    s.Read("unix_groups", a.unix_groups);
    s.Read("gid_min", a.gid_min);
    s.Read("gid_max", a.gid_max);
    s.Read("disk_usage_cache_seconds", a.disk_usage_cache_seconds);
    s.RejectUnknown();
    s.Require(a.gid_min >= 1000, "gid_min",
              "must be at least 1000 (system groups are below)");
    s.Require(a.gid_max >= a.gid_min, "gid_max", "must be at least gid_min");
  }
  if (const toml::array *users = r.TableArray("users")) {
    size_t i = 0;
    for (const auto &node : *users) {
      TableReader u(*node.as_table(), source,
                    "users[" + std::to_string(i++) + "]");
      UserSeedConfig user;
      u.Read("name", user.name);
      int64_t uid = -1;
      if (node.as_table()->get("uid"))
        u.Read("uid", uid);
      user.uid = uid;
      u.Read("firstname", user.firstname);
      u.Read("lastname", user.lastname);
      u.Read("middlename", user.middlename);
      u.Read("email", user.email);
      u.Read("workphone", user.workphone);
      u.Read("other_phones", user.other_phones);
      u.RejectUnknown();
      user.name = ExpandUser(user.name);
      u.Require(ValidSystemName(user.name), "name",
                "must be 1-64 letters, digits, '_', '-' or '.'");
      for (const auto &other : a.users)
        if (other.name == user.name)
          u.Fail(node, "name", "user '" + user.name + "' is listed twice");
      a.users.push_back(std::move(user));
    }
  }
  if (const toml::array *projects = r.TableArray("projects")) {
    size_t i = 0;
    for (const auto &node : *projects) {
      const toml::table &t = *node.as_table();
      TableReader p(t, source, "projects[" + std::to_string(i++) + "]");
      ProjectSeedConfig project;
      p.Read("repo_name", project.repo_name);
      p.Read("description", project.description);
      p.Read("cpu_hours", project.cpu_hours);
      p.Read("gpu_hours", project.gpu_hours);
      p.Read("project_dir", project.project_dir);
      ReadBytes(p, t, "project_dir_quota", project.project_dir_bytes);
      p.Read("project_dir_files", project.project_dir_files);
      p.Read("archive_dir", project.archive_dir);
      ReadBytes(p, t, "archive_quota", project.archive_bytes);
      p.Read("archive_files", project.archive_files);
      p.ReadStrings("pis", project.pis);
      p.ReadStrings("pi_proxies", project.pi_proxies);
      p.ReadStrings("members", project.members);
      p.Read("admit_client_users", project.admit_client_users);
      p.RejectUnknown();
      p.Require(ValidSystemName(project.repo_name), "repo_name",
                "must be 1-64 letters, digits, '_', '-' or '.'");
      for (const auto *dir : {&project.project_dir, &project.archive_dir})
        if (!dir->empty() && dir->front() != '/')
          p.Fail(node,
                 dir == &project.project_dir ? "project_dir" : "archive_dir",
                 "must be an absolute path");
      std::set<std::string> seen;
      for (auto *list : {&project.pis, &project.pi_proxies, &project.members})
        for (auto &name : *list) {
          name = ExpandUser(name);
          if (!ValidSystemName(name))
            p.Fail(node, "members", "'" + name + "' is not a user name");
          if (!seen.insert(name).second)
            p.Fail(node, "members",
                   "'" + name + "' is listed in more than one role");
        }
      for (const auto &other : a.projects)
        if (other.repo_name == project.repo_name)
          p.Fail(node, "repo_name",
                 "project '" + project.repo_name + "' is listed twice");
      a.projects.push_back(std::move(project));
    }
  }
}

Config ReadConfig(const toml::table &root, const std::string &source) {
  Config c;
  TableReader r(root, source, "");
  c.data_dir = "~/.local/share/sfapid";
  r.Read("data_dir", c.data_dir);
  c.data_dir = ExpandHome(c.data_dir);
  r.Require(!c.data_dir.empty(), "data_dir", "must not be empty");
  c.data_dir =
      std::filesystem::absolute(c.data_dir).lexically_normal().string();

  if (const toml::table *t = r.Table("server")) {
    TableReader s(*t, source, "server");
    auto &v = c.server;
    s.Read("listen", v.listen);
    s.Read("port", v.port);
    s.Read("threads", v.threads);
    s.Read("blocking_threads", v.blocking_threads);
    s.Read("max_header_bytes", v.max_header_bytes);
    s.Read("max_body_bytes", v.max_body_bytes);
    s.Read("idle_timeout_seconds", v.idle_timeout_seconds);
    s.Read("request_timeout_seconds", v.request_timeout_seconds);
    s.Read("shutdown_grace_seconds", v.shutdown_grace_seconds);
    s.Read("max_connections", v.max_connections);
    s.Read("max_connections_per_address", v.max_connections_per_address);
    s.ReadStrings("trusted_proxies", v.trusted_proxies);
    s.Read("web_root", v.web_root);
    s.Read("access_log", v.access_log);
    s.RejectUnknown();
    s.Require(v.threads >= 1, "threads", "must be at least 1");
    s.Require(v.blocking_threads >= 1, "blocking_threads",
              "must be at least 1");
    s.Require(v.max_connections >= 1, "max_connections", "must be at least 1");
    s.Require(v.max_connections_per_address >= 0, "max_connections_per_address",
              "must be 0 (no limit) or more");
    s.Require(v.max_header_bytes >= 1024, "max_header_bytes",
              "must be at least 1024");
    s.Require(v.idle_timeout_seconds > 0, "idle_timeout_seconds",
              "must be positive");
    s.Require(v.request_timeout_seconds > 0, "request_timeout_seconds",
              "must be positive");
    for (const auto &p : v.trusted_proxies)
      if (!ParseCidr(p))
        s.Fail(s.NodeOr("trusted_proxies"), "trusted_proxies",
               "'" + p + "' is not a CIDR");
  }
  if (const toml::table *t = r.Table("store")) {
    TableReader s(*t, source, "store");
    s.Read("sqlite_path", c.store.sqlite_path);
    s.RejectUnknown();
    s.Require(!c.store.sqlite_path.empty(), "sqlite_path", "must not be empty");
  }
  if (const toml::table *t = r.Table("status")) {
    TableReader s(*t, source, "status");
    s.Read("probe_interval_seconds", c.status.probe_interval_seconds);
    s.Read("refresh_interval_seconds", c.status.refresh_interval_seconds);
    s.RejectUnknown();
    s.Require(c.status.probe_interval_seconds >= 0.05, "probe_interval_seconds",
              "must be at least 0.05");
    s.Require(c.status.refresh_interval_seconds >= 0.05,
              "refresh_interval_seconds", "must be at least 0.05");
  }
  if (const toml::table *t = r.Table("auth")) {
    TableReader s(*t, source, "auth");
    auto &a = c.auth;
    s.Read("token_path", a.token_path);
    s.Read("token_url", a.token_url);
    s.Read("issuer", a.issuer);
    s.Read("access_token_lifetime_seconds", a.access_token_lifetime_seconds);
    s.Read("max_assertion_lifetime_seconds", a.max_assertion_lifetime_seconds);
    s.Read("clock_leeway_seconds", a.clock_leeway_seconds);
    s.Read("client_refresh_seconds", a.client_refresh_seconds);
    s.Read("token_cache_entries", a.token_cache_entries);
    s.Read("max_refusals_per_address", a.max_refusals_per_address);
    s.Read("refusal_window_seconds", a.refusal_window_seconds);
    s.Read("audit_retention_days", a.audit_retention_days);
    for (auto [name, policy] : {std::pair{"green", &a.green},
                                {"yellow", &a.yellow},
                                {"red", &a.red}}) {
      if (const toml::table *lt = s.Table(name)) {
        TableReader l(*lt, source, std::string("auth.") + name);
        l.Read("max_lifetime_days", policy->max_lifetime_days);
        l.Read("max_ip_ranges", policy->max_ip_ranges);
        l.RejectUnknown();
        l.Require(policy->max_lifetime_days > 0, "max_lifetime_days",
                  "must be positive");
      }
    }
    s.RejectUnknown();
    s.Require(!a.token_path.empty() && a.token_path.front() == '/',
              "token_path", "must start with '/'");
    s.Require(a.access_token_lifetime_seconds >= 10,
              "access_token_lifetime_seconds", "must be at least 10");
    s.Require(a.client_refresh_seconds >= 0.05, "client_refresh_seconds",
              "must be at least 0.05");
    s.Require(a.max_refusals_per_address >= 0, "max_refusals_per_address",
              "must be 0 (no limit) or more");
    s.Require(a.refusal_window_seconds > 0, "refusal_window_seconds",
              "must be positive");
    s.Require(a.audit_retention_days >= 0, "audit_retention_days",
              "must be 0 (keep) or more");
  }
  if (const toml::table *t = r.Table("utilities")) {
    TableReader s(*t, source, "utilities");
    s.Read("command_timeout_seconds", c.utilities.command_timeout_seconds);
    s.Read("command_output_max_bytes", c.utilities.command_output_max_bytes);
    s.Read("upload_max_bytes", c.utilities.upload_max_bytes);
    s.Read("download_max_bytes", c.utilities.download_max_bytes);
    s.RejectUnknown();
    s.Require(c.utilities.command_timeout_seconds > 0,
              "command_timeout_seconds", "must be positive");
  }
  if (const toml::table *t = r.Table("callbacks")) {
    TableReader s(*t, source, "callbacks");
    CallbacksConfig &cb = c.callbacks;
    s.Read("default_timeout_seconds", cb.default_timeout_seconds);
    s.Read("max_timeout_seconds", cb.max_timeout_seconds);
    s.Read("attempt_timeout_seconds", cb.attempt_timeout_seconds);
    s.Read("first_retry_seconds", cb.first_retry_seconds);
    s.Read("max_retry_seconds", cb.max_retry_seconds);
    s.ReadStrings("mail_command", cb.mail_command);
    s.Read("outbox_dir", cb.outbox_dir);
    s.Read("mail_from", cb.mail_from);
    s.ReadStrings("blocked_networks", cb.blocked_networks);
    for (const auto &n : cb.blocked_networks)
      s.Require(ParseCidr(n).has_value(), "blocked_networks",
                "'" + n + "' is not a CIDR");
    s.RejectUnknown();
    s.Require(cb.attempt_timeout_seconds > 0, "attempt_timeout_seconds",
              "must be positive");
    s.Require(cb.first_retry_seconds > 0, "first_retry_seconds",
              "must be positive");
    s.Require(cb.max_retry_seconds >= cb.first_retry_seconds,
              "max_retry_seconds", "must be at least first_retry_seconds");
    s.Require(!cb.outbox_dir.empty(), "outbox_dir", "must not be empty");
  }
  if (const toml::table *t = r.Table("tasks")) {
    TableReader s(*t, source, "tasks");
    s.Read("workers", c.tasks.workers);
    s.Read("max_running_per_user", c.tasks.max_running_per_user);
    s.Read("job_workers", c.tasks.job_workers);
    s.Read("retention_days", c.tasks.retention_days);
    s.RejectUnknown();
    s.Require(c.tasks.workers >= 1, "workers", "must be at least 1");
    s.Require(c.tasks.job_workers >= 1, "job_workers", "must be at least 1");
    s.Require(c.tasks.max_running_per_user >= 1, "max_running_per_user",
              "must be at least 1");
    s.Require(
        c.tasks.workers == 1 || c.tasks.max_running_per_user < c.tasks.workers,
        "max_running_per_user",
        "must be below workers, so that one user cannot hold every worker");
  }
  std::vector<std::pair<const toml::node *, TransferEndpointConfig>>
      endpoint_nodes;
  if (const toml::table *t = r.Table("transfers")) {
    TableReader s(*t, source, "transfers");
    s.Read("max_active_per_user", c.transfers.max_active_per_user);
    s.Read("max_active", c.transfers.max_active);
    s.Read("rsync", c.transfers.rsync);
    s.ReadStrings("rsync_options", c.transfers.rsync_options);
    s.Read("same_host_copy", c.transfers.same_host_copy);
    if (const toml::array *list = s.TableArray("endpoints")) {
      size_t i = 0;
      for (const auto &node : *list) {
        TableReader e(*node.as_table(), source,
                      "transfers.endpoints[" + std::to_string(i++) + "]");
        TransferEndpointConfig ep;
        e.Read("id", ep.id);
        e.Read("system", ep.system);
        e.RejectUnknown();
        if (ep.id.empty())
          e.Fail(node, "id", "must not be empty");
        endpoint_nodes.emplace_back(&node, ep);
        c.transfers.endpoints.push_back(ep);
      }
    }
    s.RejectUnknown();
    if (c.transfers.max_active_per_user < 1 || c.transfers.max_active < 1)
      s.Fail(*t, "max_active", "transfer limits must be at least 1");
  }
  if (const toml::table *t = r.Table("runas")) {
    TableReader s(*t, source, "runas");
    s.Read("min_uid", c.runas.min_uid);
    s.Read("max_uid", c.runas.max_uid);
    s.Read("login_shell_required", c.runas.login_shell_required);
    s.ReadStrings("deny_accounts", c.runas.deny_accounts);
    if (const toml::table *accounts = s.Table("accounts")) {
      for (const auto &[k, v] : *accounts) {
        if (!v.is_string())
          s.Fail(v, "accounts." + std::string(k.str()),
                 "must be a string (a Unix account name)");
        c.runas.accounts.emplace_back(std::string(k.str()),
                                      v.as_string()->get());
      }
    }
    s.RejectUnknown();
  }
  ReadAccounts(r, source, c.accounts);
  if (const toml::array *systems = r.TableArray("systems")) {
    size_t i = 0;
    for (const auto &node : *systems) {
      SystemConfig s = ReadSystem(*node.as_table(), source, i);
      if (c.FindSystem(s.name))
        r.Fail(node, "systems", "system '" + s.name + "' is defined twice");
      c.systems.push_back(std::move(s));
      ++i;
    }
  }
  r.RejectUnknown();
  if (c.systems.empty())
    r.Fail(root, "systems", "at least one [[systems]] entry is needed");
  for (const auto &[node, ep] : endpoint_nodes) {
    const SystemConfig *s = c.FindSystem(ep.system);
    if (!s || !s->HasFiles())
      r.Fail(*node, "transfers.endpoints",
             "endpoint '" + ep.id + "' names '" + ep.system +
                 "', which is not a compute or filesystem system");
  }
  return c;
}

} // namespace

Result<Config> ParseConfig(const std::string &text,
                           const std::string &source_name) {
  try {
    toml::table root = toml::parse(text, source_name);
    return ReadConfig(root, source_name);
  } catch (const toml::parse_error &e) {
    std::ostringstream m;
    m << source_name << ":" << e.source().begin.line << ": " << e.description();
    return Status::InvalidArgument(m.str());
  } catch (const ConfigError &e) {
    return Status::InvalidArgument(e.message);
  }
}

Result<Config> LoadConfigFile(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    return Status::NotFound("cannot read config file '" + path + "'");
  std::stringstream buf;
  buf << in.rdbuf();
  return ParseConfig(buf.str(), path);
}

Result<Config> LoadDefaultConfig() {
  return ParseConfig(DefaultConfigText(), "<default config>");
}

} // namespace sfapid
