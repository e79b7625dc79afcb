// The embedded default configuration: a laptop-sized facility with the system names that the
// official sfapi_client knows (perlmutter, dtns, dtn01) and the service resources it asks about.
#include "config/config.h"

namespace sfapid {

const std::string& DefaultConfigText() {
  static const std::string text = R"toml(# sfapid configuration (TOML). Unknown keys are errors.
# Print this file with `sfapid config default`; check a file with `sfapid config check FILE`.

# Where sfapid keeps its state (SQLite database, keys, scheduler spool). "~" is the home of the
# account sfapid runs as.
data_dir = "~/.local/share/sfapid"

[server]
listen = "127.0.0.1"          # address to bind; "0.0.0.0" or "::" for every interface
port = 8080
threads = 2                   # threads answering HTTP
blocking_threads = 4          # threads for file, process and scheduler work
max_header_bytes = 16384      # larger request headers get 431
max_body_bytes = 1048576      # default body limit; some routes set their own
idle_timeout_seconds = 30     # a connection that sends no request for this long is closed
request_timeout_seconds = 60  # the longest a client may take to send one request
shutdown_grace_seconds = 10   # on SIGTERM, how long in-flight requests may take to finish
drain_seconds = 0             # on SIGTERM, first /readyz says 503 this long (behind a balancer)
idempotency_hours = 24        # a creating request's reply is kept this long for its Idempotency-Key
max_connections = 1024        # connections beyond this are answered 503 and closed
max_connections_per_address = 64  # one client address's share (trusted_proxies: no limit; 0: none)
trusted_proxies = []          # CIDRs of reverse proxies whose X-Forwarded-For is believed
web_root = ""                 # Swagger UI assets; "" = the location the build installed
access_log = true             # one line per request on standard error
node_name = ""                # this node's name among several on one store; "" = "<host>:<port>"

[store]
sqlite_path = "sfapid.db"     # relative to data_dir unless absolute
# "postgresql://USER:PASSWORD@HOST:PORT/DB": keep everything in PostgreSQL instead, for several
# sfapid nodes sharing one store (scripts/pg-up starts one for trying it). "" = SQLite above.
url = ""
connections = 4               # PostgreSQL: most connections per node (opened as they are needed)

[status]
probe_interval_seconds = 10   # how often each compute system's scheduler is asked if it answers
refresh_interval_seconds = 1  # how soon changes made with `sfapid status/outage/note` are served

[auth]
token_path = "/oauth2/token"        # the OAuth2 token endpoint (client credentials, private-key JWT)
token_url = ""                      # its public URL, the audience of client assertions; "" = derived
issuer = ""                         # "iss" of access tokens; "" = the public base URL
access_token_lifetime_seconds = 600
max_assertion_lifetime_seconds = 86400  # how far in the future an assertion's exp may be
clock_leeway_seconds = 60
client_refresh_seconds = 2          # a revoked client's live tokens stop working within this
token_cache_entries = 100000        # verified access tokens remembered (a hash lookup per request)
# An address refused this many token requests within refusal_window_seconds is answered 429
# (Retry-After) without any check or audit row until the window ends. 0: no limit.
max_refusals_per_address = 30
refusal_window_seconds = 60
audit_retention_days = 90           # token decisions are kept this long (0: forever)
max_clients_per_user = 50           # valid clients a user may have at once (0: no limit)
# Security levels: green reads; yellow also submits and cancels jobs, uploads, changes groups and
# starts transfers; red also runs commands. max_ip_ranges = 0 means no limit; min_ipv4_prefix and
# min_ipv6_prefix are the widest range a client may name (0: any, even 0.0.0.0/0 and ::/0).
[auth.green]
max_lifetime_days = 60
max_ip_ranges = 0
min_ipv4_prefix = 0
min_ipv6_prefix = 0
[auth.yellow]
max_lifetime_days = 30
max_ip_ranges = 0
min_ipv4_prefix = 0
min_ipv6_prefix = 0
[auth.red]
max_lifetime_days = 2
max_ip_ranges = 2
min_ipv4_prefix = 16                # pinned: at most a /16 of IPv4 addresses per range
min_ipv6_prefix = 48                # and at most a /48 of IPv6 ones

# The pages at / (sign in, profile with the user's API clients) and /status (docs/web.md).
[web]
enabled = true
mfa = "totp"                  # after the PAM password: "totp" (enrolled on first sign-in) or "none"
pam_service = "sfapid"        # /etc/pam.d/sfapid; PAM uses /etc/pam.d/other when it is missing
# Users that no operator enabled or disabled (`sfapid user enable|disable`) may create API clients.
# true suits one machine of trusted users (this default); a facility sets false and enables users
# itself or approves their requests (`sfapid access list|approve|deny`).
enable_by_default = true
session_idle_minutes = 30     # a session unused this long ends
session_max_hours = 12        # every session ends this long after sign-in
second_factor_minutes = 5     # time to give the TOTP code after the password
max_failures = 5              # failed sign-ins per user and per address within lockout_minutes ...
lockout_minutes = 15          # ... lock that user or address out for lockout_minutes
sign_in_link_minutes = 15     # `sfapid web link --user U` prints a one-time sign-in link
totp_issuer = "sfapid"        # the name authenticator apps show
secure_cookies = "auto"       # Secure cookies: "auto" (when auth.token_url is https), "always", "never"

# How the centre describes itself to the IRI facility API (GET /api/v2/facility, docs/iri.md).
[facility]
short_name = "sfapid"         # the facility's id
name = "sfapid facility"
description = "A laptop-sized facility: sfapid's embedded default"
organization_name = ""
support_uri = ""              # an http(s) URL users go to for help
[facility.site]
short_name = "main"           # the site's id
name = "Main site"
operating_organization = ""
country_name = ""
locality_name = ""
# latitude = 37.876          # numbers; negative south and west
# longitude = -122.253

[utilities]
command_timeout_seconds = 600         # POST /utilities/command: longer commands are stopped
command_output_max_bytes = 16777216   # stdout and stderr together; beyond it the command is stopped
upload_max_bytes = 104857600          # PUT /utilities/upload
download_max_bytes = 104857600        # GET /utilities/download
# Files of any size (sfapid extension): GET /utilities/files streams with no limit; resumable
# uploads under /utilities/uploads take chunks of at most this, each held in memory while written.
upload_chunk_max_bytes = 67108864
upload_expiry_hours = 24              # an unfinished upload is removed this long after its last chunk

[tasks]
workers = 4                 # commands and transfers running at once
max_running_per_user = 2    # one user's share of them (below workers: others always get a turn)
job_workers = 4             # job submissions and cancellations: never queued behind commands
retention_days = 7          # finished tasks are forgotten after this
lease_seconds = 30          # a dead node's unfinished tasks are ended this long after it died
wait_for_end_ms = 200       # a job submit/cancel or command answers once its task ended, at most this late

[events]
# GET /api/v1.2/events (Server-Sent Events) and long-poll (wait=): see docs/events.md.
retention_hours = 24        # kept this long for streams that resume (Last-Event-ID)
heartbeat_seconds = 15      # a comment line on an idle stream (below proxies' idle timeouts)
queue_events = 1000         # buffered per stream; a client further behind is told and dropped
max_streams_per_user = 16   # more at once are refused (429)
max_wait_seconds = 300      # the longest long-poll wait
poll_interval_seconds = 1   # the store is read this often without a wake-up

[rate_limits]
# Requests per second, on average, one API client and one source address may make in each class
# of routes; up to burst_seconds of that rate at once. Beyond it: 429 with Retry-After (the SFAPI
# clients wait and retry), counted in /metrics. 0: no limit. See docs/security.md.
burst_seconds = 10
reads_per_client = 50       # GET and HEAD
reads_per_address = 200
submits_per_client = 10     # other changes: jobs, cancels, uploads, transfers, reservations
submits_per_address = 40
commands_per_client = 5     # commands, and file operations that run a program as the user
commands_per_address = 20
token_per_client = 2        # the token endpoint (a client is counted once its assertion checks)
token_per_address = 10

[transfers]
max_active_per_user = 4     # transfers running at once for one user; more are refused
max_active = 16             # transfers running at once in all
rsync = "/usr/bin/rsync"
rsync_options = []          # added to every transfer's rsync, e.g. ["--bwlimit=500M"]
same_host_copy = true       # one file on this host: in-kernel copy (cp's speed); off, or any
                            # rsync_options: rsync for everything
# Endpoint ids for /storage/globus/transfer: "dtn" (the first filesystem system) and every compute
# system's name exist already; add more as [[transfers.endpoints]] with id and system.

[callbacks]
# Job-end notifications (POST /compute/jobs with callbackUrl or callbackEmail). Each POST is signed:
# X-Sfapi-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the client's callback secret>.
default_timeout_seconds = 3600    # retried with back-off for this long unless callbackTimeout says
max_timeout_seconds = 604800      # a longer callbackTimeout is refused
attempt_timeout_seconds = 10      # one delivery attempt
first_retry_seconds = 1           # back-off doubles from here ...
max_retry_seconds = 300           # ... up to this
mail_command = []                 # e.g. ["/usr/sbin/sendmail", "-t"]; empty: files in outbox_dir
outbox_dir = "outbox"             # relative to data_dir
mail_from = "sfapid@localhost"
# Callback URLs resolving into these networks are refused (loopback, private, link-local: the
# server must not be a proxy into its own network), also when an IPv6 address carries the IPv4
# one (::ffff:, ::, 64:ff9b::, 2002::). The unspecified addresses (0.0.0.0, ::) are always refused.
# [] allows everything else.
blocked_networks = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                    "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15",
                    "224.0.0.0/4", "240.0.0.0/4", "::1/128", "64:ff9b:1::/48", "fc00::/7",
                    "fe80::/10", "ff00::/8"]
# And every address of this host's own interfaces (read when a callback connects), in whatever
# network: a public address of the host reaches its services listening on every address.
block_host_addresses = true

[runas]
# Every user action runs as the user's Unix account: the account of the same name unless listed
# here. When sfapid does not run as root it serves only users mapped to its own account.
accounts = {}               # e.g. { "alice" = "alice2" }
# Only ordinary login accounts are acted as or put in groups: a uid in min_uid..max_uid (unset:
# UID_MIN..UID_MAX of /etc/login.defs, 1000..60000 on Debian, whose daemons such as slurm
# (64030) and nobody (65534) lie outside), a login shell (not nologin or false), not denied.
# min_uid = 1000
# max_uid = 60000
login_shell_required = true
deny_accounts = ["nobody"]
# A worker acting as a user (one file operation, script write or submit) that has not answered
# after this long is killed and the request answered 503: the user owns it and could stop it.
worker_timeout_seconds = 300
# "per_user": file operations and script writes run in one long-lived worker per active user
# (started on first use as that user, never serving another), and commands and programs start
# straight from sfapid as the user (each still its own process). "per_operation": a fresh worker
# process for each (slower: the sfapid binary starts every time).
workers = "per_user"
worker_idle_seconds = 60       # a user's unused worker ends after this
worker_max_age_seconds = 600   # any worker ends once idle after this
max_workers = 64               # all users together; the least recently used idle one ends first
workers_per_user = 8           # one user's requests at once; more use a one-request worker

[accounts]
# Project groups (POST /account/groups): when sfapid runs as root they are real Unix groups
# (groupadd/gpasswd) with gids from this range; otherwise, or with unix_groups = false, they live in
# sfapid's store only.
unix_groups = true
gid_min = 60000
gid_max = 60999
disk_usage_cache_seconds = 60  # project folders are measured on disk at most this often

# Users and projects seed the store at start: each is created when missing and never overwritten
# (change them with `sfapid user ...` / `sfapid project ...`). Once any project exists, a job may
# only charge (sbatch -A, else default_account) a project its user belongs to, while the
# project's node-hours last. With no project at all, accounts are not checked.
# [[users]]                   # details GET /account shows; Unix accounts need no entry
# name = "alice"
# firstname = "Alice"
# lastname = "Liddell"
# email = "alice@example.org"
# uid = 1001                  # default: the Unix account's

[[projects]]
repo_name = "default"         # also the account jobs charge: default_account below
description = "Default project"
cpu_hours = 100000            # node-hours given
gpu_hours = 0
project_dir = ""              # measured for projdir_usage, e.g. "/global/cfs/cdirs/default"
project_dir_quota = "0"       # e.g. "20TiB"; "0" = none
project_dir_files = 0
archive_dir = ""
archive_quota = "0"
archive_files = 0
pis = ["$USER"]               # "$USER" = the account sfapid runs as
pi_proxies = []
members = []
admit_client_users = true     # users given an API client (`sfapid client create`) join as
                              # members, so every local user with a client can submit jobs

[[systems]]
name = "perlmutter"
full_name = "Perlmutter"
system_type = "compute"
description = "Compute system (embedded local scheduler)"
roots = ["/"]                 # folders the utilities may touch; "/" = Unix permissions decide
[systems.scheduler]
backend = "local"
spool_dir = "spool/perlmutter"
nodes = 1                     # the local cluster: identical nodes of
cpus_per_node = 0             # ... this many CPUs (0: this machine's)
memory_mb_per_node = 0        # ... and this much memory (0: this machine's)
partitions = ["regular", "debug"]  # the first is the default
default_time = "01:00:00"     # a job without --time gets this limit
max_time = "2-00:00:00"       # longer --time is refused
default_account = "default"   # a job without --account is charged here
min_job_age_seconds = 300     # finished jobs stay in squeue-style listings this long
kill_wait_seconds = 5         # SIGTERM, then SIGKILL this much later (time limit, cancel)
purge_jobs_after_days = 30    # ended jobs leave sacct this long after their end (0: never)
max_submit_jobs_per_user = 0  # pending + running jobs per user, as MaxSubmitJobs (0: no limit)
container_runtime = "none"    # IRI jobs with a container: "none" (refused), "apptainer", "pyxis" (Slurm)
# backend = "slurm" runs sbatch/scancel as the user and reads the queue with one squeue for all:
# slurm_bin_dir = "/usr/bin"; slurm_cluster = "" (--clusters, when slurmdbd serves several);
# refresh_interval_seconds = 2 (how old a cached view may be); min_refresh_interval_seconds = 0.25
# (refreshes start at least this far apart, however many cached=false reads ask);
# sacct_window_days = 7; command_timeout_seconds = 30.
[systems.reservations]
# Advance reservations users request themselves (POST /compute/reservations/perlmutter); see
# docs/reservations.md. Without this table a system takes no requests.
enabled = true
min_lead_hours = 0            # how far ahead a reservation must start (NERSC: 168)
max_nodes = 0                 # nodes per reservation (0: the whole cluster)
max_duration_hours = 24
max_active_per_project = 4    # requested, approved, scheduled or active at once
auto_approve_node_hours = 24  # larger requests wait for `sfapid reservation approve`
cancellation_notice_hours = 0 # cancelled later than this before the start: charged in full
charge_factor = 1             # node-hours charged per reserved node-hour

[[systems]]
name = "dtns"
full_name = "Data Transfer Nodes"
system_type = "filesystem"
description = "Data transfer nodes"

[[systems]]
name = "dtn01"
full_name = "Data Transfer Node 01"
system_type = "filesystem"
description = "Data transfer node"

[[systems]]
name = "globus"
full_name = "Globus"
system_type = "service"
description = "Transfers between systems"

[[systems]]
name = "spin"
full_name = "Spin"
system_type = "service"
description = "Container services"

[[systems]]
name = "iris"
full_name = "Iris"
system_type = "service"
description = "Accounts and allocations"
)toml";
  return text;
}

}  // namespace sfapid
