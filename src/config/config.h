// The server's configuration: one TOML file, validated as a whole before anything starts. The
// embedded default (DefaultConfigText) is what `sfapid config default` prints and what runs when no
// file is given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/facility_config.h"
#include "config/storage_config.h"
#include "util/status.h"

namespace sfapid {

enum class SystemType { kCompute, kFilesystem, kService, kStorage };
const char* ToString(SystemType t);

// How a compute system's jobs run a container image (IRI JobSpec.container): not at all, through
// Apptainer (`apptainer exec`), or through Slurm's pyxis plugin (`srun --container-image`).
enum class ContainerRuntime { kNone, kApptainer, kPyxis };
const char* ToString(ContainerRuntime r);

struct SchedulerConfig {
  std::string backend;    // "local" (embedded) or "slurm"
  std::string spool_dir;  // local scheduler: where job state lives; relative to data_dir
  // The local scheduler's cluster: identical nodes. 0 = this machine's CPUs / memory.
  int nodes = 1;
  int cpus_per_node = 0;
  int64_t memory_mb_per_node = 0;
  std::vector<std::string> partitions{"regular", "debug"};  // the first is the default
  std::string default_time = "01:00:00";                    // a job without --time gets this limit
  std::string max_time = "2-00:00:00";  // longer --time is refused (Slurm's MaxTime)
  std::string default_account = "default";
  double min_job_age_seconds =
      300;                       // finished jobs stay in the queue this long (Slurm's MinJobAge)
  double kill_wait_seconds = 5;  // SIGTERM to SIGKILL on time limit or cancel (KillWait)
  // Ended jobs are forgotten (gone from sacct) this long after their end, as slurmdbd's
  // PurgeJobAfter; 0 = never.
  double purge_jobs_after_days = 30;
  // Pending and running jobs (each array task counts) a user may have, as Slurm's MaxSubmitJobs;
  // 0 = no limit.
  int max_submit_jobs_per_user = 0;
  // Slurm backend.
  std::string slurm_bin_dir = "/usr/bin";  // where sbatch, squeue, sacct, scancel, scontrol are
  // The Slurm cluster (--clusters) when slurmdbd serves several; "" = the one slurm.conf names.
  std::string slurm_cluster;
  double refresh_interval_seconds = 2;  // cached queue/accounting views are at most this old
  // squeue/sacct refreshes start at least this far apart, however many fresh reads ask.
  double min_refresh_interval_seconds = 0.25;
  double sacct_window_days = 7;         // accounting rows cover jobs this recent
  double command_timeout_seconds = 30;  // a Slurm command taking longer is killed
  // How IRI jobs with a container run here (pyxis only under Slurm); kNone refuses them.
  ContainerRuntime container_runtime = ContainerRuntime::kNone;
};

// [systems.reservations]: what a compute system lets users reserve by themselves
// (docs/reservations.md). Without the table a system takes no reservation requests.
struct ReservationPolicy {
  bool enabled = false;
  double min_lead_hours = 0;       // the earliest start is this far ahead (NERSC: 168)
  int max_nodes = 0;               // per reservation; 0: the whole cluster
  double max_duration_hours = 24;  // end - start
  int max_active_per_project = 4;  // requested, approved, scheduled or active at once
  // Requests up to this many node-hours are approved at once; larger ones wait for an operator.
  // 0: every request waits.
  double auto_approve_node_hours = 24;
  // Cancelled less than this long before the start (or after it): charged in full (NERSC: 96).
  double cancellation_notice_hours = 0;
  double charge_factor = 1;  // node-hours charged per reserved node-hour
};

struct SystemConfig {
  std::string name;
  std::string full_name;
  SystemType system_type = SystemType::kService;
  std::string description;
  SchedulerConfig scheduler;       // compute systems only
  ReservationPolicy reservations;  // compute systems only
  // File-system roots the utilities may touch on this system (after resolving ".." and symlinks).
  // The default "/" is the whole file system with Unix permissions as the guard, as on a login
  // node.
  std::vector<std::string> roots{"/"};
  // Systems with files: the users' folders on it and the services that reach them (IRI storage).
  // No locations: each caller's home, project and archive folders (storage_locations.h).
  std::vector<StorageLocationConfig> locations;
  std::vector<AccessEndpointConfig> access_endpoints;

  // Whether files and commands can be reached on this system.
  bool HasFiles() const {
    return system_type == SystemType::kCompute || system_type == SystemType::kFilesystem ||
           system_type == SystemType::kStorage;
  }
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
  // On SIGTERM, how long /readyz answers 503 while requests are still served, before the
  // listening socket closes: longer than the load balancer takes to mark the node down.
  double drain_seconds = 0;
  // How long the reply to a request with an Idempotency-Key is kept to answer its repeats.
  double idempotency_hours = 24;
  int max_connections = 1024;
  // One client address's share of max_connections (trusted proxies are not limited); 0 = none.
  int max_connections_per_address = 64;
  std::vector<std::string> trusted_proxies;  // CIDRs whose X-Forwarded-For is believed
  std::string web_root;                      // Swagger UI assets; empty = the built-in location
  bool access_log = true;
  // This node's name among several on one store (tasks it runs are marked with it); unique per
  // node. Empty: "<host name>:<port>" (NodeName).
  std::string node_name;
};

struct StoreConfig {
  std::string sqlite_path = "sfapid.db";  // relative to data_dir
  // "postgresql://user:password@host:port/db": the store is PostgreSQL (several nodes share it);
  // empty: SQLite at sqlite_path.
  std::string url;
  // PostgreSQL: at most this many connections per node, opened as concurrent requests need them.
  int connections = 4;
};

struct StatusConfig {
  double probe_interval_seconds = 10;
  double refresh_interval_seconds = 1;  // how soon operator changes reach the API
};

// What each security level allows a client: how long it lives, how many source ranges it has and
// how wide each may be (the shortest prefix; 0: any, even 0.0.0.0/0).
struct LevelPolicy {
  double max_lifetime_days = 60;
  int max_ip_ranges = 0;  // 0: no limit
  int min_ipv4_prefix = 0;
  int min_ipv6_prefix = 0;
};

struct AuthConfig {
  std::string token_path = "/oauth2/token";
  // The token endpoint's public URL, which client assertions name as their audience. Empty: derived
  // from server.listen and server.port (right for local use; set it behind a proxy or TLS).
  std::string token_url;
  std::string issuer;  // "iss" of access tokens; empty: the public base URL
  double access_token_lifetime_seconds = 600;
  double max_assertion_lifetime_seconds = 86400;  // how far ahead an assertion's exp may be
  double clock_leeway_seconds = 60;
  double client_refresh_seconds = 2;  // how soon a revocation reaches live tokens
  std::size_t token_cache_entries = 100000;
  // An address refused this often within the window is answered 429, unchecked, until it ends.
  int max_refusals_per_address = 30;
  double refusal_window_seconds = 60;
  double audit_retention_days = 90;  // 0: the audit trail is kept forever
  LevelPolicy green{60, 0};
  LevelPolicy yellow{30, 0};
  LevelPolicy red{2, 2, 16, 48};
  // Valid (unrevoked, unexpired) clients a user may have at once (0: no limit): each client's key
  // is held and refreshed by every node, and a web page must not let one user grow that at will.
  int max_clients_per_user = 50;

  const LevelPolicy& Policy(int level) const {
    return level == 0 ? green : level == 1 ? yellow : red;
  }
};

// [web]: the sign-in and profile pages at / and the public status page (docs/web.md).
struct WebConfig {
  bool enabled = true;
  std::string mfa = "totp";            // "totp" or "none": the second factor after the password
  std::string pam_service = "sfapid";  // /etc/pam.d/<name>; PAM's "other" when it is missing
  // Users no operator enabled or disabled may have API clients (the embedded default says yes;
  // a facility says no and enables users with `sfapid user enable` or by approving requests).
  bool enable_by_default = false;
  double session_idle_minutes = 30;     // a session unused this long ends
  double session_max_hours = 12;        // and every session ends this long after sign-in
  double second_factor_minutes = 5;     // time to give the TOTP code after the password
  int max_failures = 5;                 // failed sign-ins per user, and per address, ...
  double lockout_minutes = 15;          // ... within this long lock them out for as long
  double sign_in_link_minutes = 15;     // `sfapid web link`: a one-time link lives this long
  std::string totp_issuer = "sfapid";   // the name authenticator apps show
  std::string secure_cookies = "auto";  // "auto" (when token_url is https), "always", "never"
};

struct UtilitiesConfig {
  double command_timeout_seconds = 600;
  std::size_t command_output_max_bytes = 16 * 1024 * 1024;  // stdout and stderr together
  std::size_t upload_max_bytes = 100 * 1024 * 1024;
  std::size_t download_max_bytes = 100 * 1024 * 1024;
  // Resumable uploads (sfapid extension): the largest chunk one PUT may carry (each is held in
  // memory while it is written), and how long an unfinished upload is kept after its last chunk.
  std::size_t upload_chunk_max_bytes = 64 * 1024 * 1024;
  double upload_expiry_hours = 24;
};

// [rate_limits]: requests per second, on average, that one API client and one source address may
// make in each class of routes; up to burst_seconds of that rate at once. 0: no limit.
struct RateLimit {
  double per_client = 0;
  double per_address = 0;
};
struct RateLimitsConfig {
  double burst_seconds = 10;
  RateLimit reads{50, 200};   // GET and HEAD of the APIs
  RateLimit submits{10, 40};  // other changes: jobs, cancels, uploads, transfers, reservations
  RateLimit commands{5, 20};  // a command, or a file operation that runs a program as the user
  RateLimit token{2, 10};     // POST to the token endpoint (a client: counted once verified)
};

// [events]: the event stream and long-poll (docs/events.md).
struct EventsConfig {
  double retention_hours = 24;    // events are kept this long for resuming streams
  double heartbeat_seconds = 15;  // a comment line on an idle stream, below proxies' idle timeouts
  int queue_events = 1000;  // buffered per stream: a client further behind is told and dropped
  int max_streams_per_user = 16;
  double max_wait_seconds = 300;  // the longest long-poll `wait`
  // The store is read this often without a wake-up (SQLite: another process, such as the CLI,
  // appended; PostgreSQL: while the LISTEN connection is lost).
  double poll_interval_seconds = 1;
};

struct TasksConfig {
  int workers = 4;  // commands, transfers and other long work
  // One user's share of those; kept below workers (at most workers - 1, at least 1) so that
  // another user always finds a worker.
  int max_running_per_user = 2;
  // Job submissions and cancellations: workers of their own, so that they never wait behind
  // long commands; one user takes at most job_workers - 1 of them.
  int job_workers = 4;
  double retention_days = 7;  // finished tasks are purged after this
  // A node renews the leases of the tasks it runs every lease_seconds / 6; a task whose lease
  // ran out (its node died) is ended "failed" by whichever node sweeps first.
  double lease_seconds = 30;
  // A request that starts a task (a job's submission or cancellation, a command) answers once
  // the task has ended or after this long, whichever is first: its client's first read of the
  // task then finds it done (api/sfapi/task_accepted.h). 0: at once.
  int wait_for_end_ms = 200;
};

struct TransferEndpointConfig {
  std::string id;      // what clients send as source_uuid / target_uuid
  std::string system;  // whose roots bound the paths
};

struct TransfersConfig {
  int max_active_per_user = 4;
  int max_active = 16;
  std::string rsync = "/usr/bin/rsync";
  std::vector<std::string> rsync_options;  // added to every rsync, e.g. "--bwlimit=500M"
  // One regular file on this host is copied inside the kernel instead of by rsync (unless
  // rsync_options are set, which then apply to every transfer).
  bool same_host_copy = true;
  // Besides these, "dtn" (the first filesystem system) and every compute system's name are ids.
  std::vector<TransferEndpointConfig> endpoints;
};

// Job-end notifications asked for with callbackUrl / callbackEmail on job submission.
struct CallbacksConfig {
  double default_timeout_seconds = 3600;   // how long a callback is retried without callbackTimeout
  double max_timeout_seconds = 7 * 86400;  // a larger callbackTimeout is refused
  double attempt_timeout_seconds = 10;     // one POST: connect, send and answer
  double first_retry_seconds = 1;          // then doubling ...
  double max_retry_seconds = 300;          // ... up to this between attempts
  // Mail for callbackEmail: a program given the message (RFC 5322, with To:) on stdin, e.g.
  // ["/usr/sbin/sendmail", "-t"]. Empty: each message is written to a file in outbox_dir.
  std::vector<std::string> mail_command;
  std::string outbox_dir = "outbox";  // relative to data_dir
  std::string mail_from = "sfapid@localhost";
  // Callback URLs resolving into these networks are refused (checked on the addresses connected
  // to, so DNS cannot swap them): the server's own network position must not be a user's proxy.
  // Empty: anything goes (a test or a closed site).
  std::vector<std::string> blocked_networks{
      "0.0.0.0/8",      "10.0.0.0/8",    "100.64.0.0/10", "127.0.0.0/8",
      "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",  "192.168.0.0/16",
      "198.18.0.0/15",  "224.0.0.0/4",   "240.0.0.0/4",   "::1/128",
      "64:ff9b:1::/48", "fc00::/7",      "fe80::/10",     "ff00::/8"};
  // Also refuse the addresses of this host's own interfaces, whatever networks they are in (a
  // public address of the host reaches its services bound to every address, over loopback).
  bool block_host_addresses = true;
};

struct RunAsConfig {
  // API user -> Unix account, for users whose account has another name.
  std::vector<std::pair<std::string, std::string>> accounts;
  // Only ordinary login accounts are acted as (see backends/runas/account_policy.h): uids in
  // min_uid..max_uid (-1: UID_MIN / UID_MAX of /etc/login.defs), a login shell, not denied.
  int64_t min_uid = -1;
  int64_t max_uid = -1;
  bool login_shell_required = true;
  std::vector<std::string> deny_accounts{"nobody"};
  // A worker (acting as a user for one file operation, script write or submit) that has not
  // answered after this long is killed and the request fails with 503: the user owns the worker
  // and could stop it, and no server thread may wait on it for ever.
  double worker_timeout_seconds = 300;
  // How file operations, script writes, commands and programs reach the user's account:
  // "per_user" keeps one long-lived privilege-dropped worker per active user for file requests
  // (backends/runas/user_worker_pool.h) and starts commands and programs straight from the server
  // (spawn_as_user.h); "per_operation" starts a fresh worker for each (the older path, kept as a
  // baseline).
  std::string workers = "per_user";
  double worker_idle_seconds = 60;      // an unused long-lived worker ends after this
  double worker_max_age_seconds = 600;  // and any, once idle, after this
  int64_t max_workers = 64;             // long-lived workers of all users together (LRU ends)
  int64_t workers_per_user = 8;         // at once; more requests at once use one-request workers
};

// Accounts (users, projects, groups): operators manage them with `sfapid user` / `sfapid project`;
// [[users]] and [[projects]] seed the store at start (created when missing, never overwritten).
struct UserSeedConfig {
  std::string name;  // the API user
  int64_t uid = -1;  // -1: the Unix account's
  std::string firstname, lastname, middlename, email, workphone, other_phones;
};

struct ProjectSeedConfig {
  std::string repo_name;  // also the account jobs are charged to
  std::string description;
  double cpu_hours = 0, gpu_hours = 0;                   // node-hours given
  std::string project_dir;                               // measured for projdir_usage; "" = none
  int64_t project_dir_bytes = 0, project_dir_files = 0;  // quotas, 0 = none
  std::string archive_dir;
  int64_t archive_bytes = 0, archive_files = 0;
  // Members by role; "$USER" is the account sfapid runs as.
  std::vector<std::string> pis, pi_proxies, members;
  // Users given an API client (`sfapid client create|ensure`) join as members.
  bool admit_client_users = false;
};

struct AccountsConfig {
  // As root, project groups are real Unix groups (groupadd/gpasswd) with gids from this range.
  bool unix_groups = true;
  uint32_t gid_min = 60000, gid_max = 60999;
  double disk_usage_cache_seconds = 60;     // how long a measured project folder's usage is reused
  std::vector<UserSeedConfig> users;        // [[users]]
  std::vector<ProjectSeedConfig> projects;  // [[projects]]
};

// The system of that name among these, or nullptr.
const SystemConfig* FindSystem(const std::vector<SystemConfig>& systems, std::string_view name);
// "http://127.0.0.1:8080": where clients reach this server, for URLs the server hands out.
std::string PublicBaseUrl(const ServerConfig& server);
// The token endpoint's URL (what assertions name as audience) and the issuer of access tokens:
// auth's settings, else derived from where the server listens.
std::string TokenUrl(const ServerConfig& server, const AuthConfig& auth);
std::string Issuer(const ServerConfig& server, const AuthConfig& auth);

struct Config {
  std::string data_dir;  // absolute after loading ("~" expanded)
  ServerConfig server;
  StoreConfig store;
  StatusConfig status;
  AuthConfig auth;
  WebConfig web;
  UtilitiesConfig utilities;
  TasksConfig tasks;
  EventsConfig events;
  RateLimitsConfig rate_limits;
  RunAsConfig runas;
  TransfersConfig transfers;
  CallbacksConfig callbacks;
  AccountsConfig accounts;
  std::vector<SystemConfig> systems;
  FacilityConfig facility;

  const SystemConfig* FindSystem(std::string_view name) const;
  // Absolute path of a file or folder named relative to data_dir.
  std::string DataPath(const std::string& relative) const;
  // "http://127.0.0.1:8080": where clients reach this server, for URLs the server hands out.
  std::string PublicBaseUrl() const;
  std::string TokenUrl() const;
  std::string Issuer() const;
};

// The commented default configuration, embedded in the binary.
const std::string& DefaultConfigText();

// Parses and validates. Errors name the key and its line: "config.toml:12: unknown key 'portt'".
Result<Config> ParseConfig(const std::string& text, const std::string& source_name);
Result<Config> LoadConfigFile(const std::string& path);
Result<Config> LoadDefaultConfig();

}  // namespace sfapid
