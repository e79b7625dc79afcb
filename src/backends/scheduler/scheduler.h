// The batch scheduler behind a compute system. The local scheduler (embedded default) and Slurm
// implement it; services never know which one they talk to. Everything a user sees of a job
// (queue and accounting rows, sbatch/scancel errors) is already in Slurm's words here.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/runas/unix_identity.h"
#include "config/config.h"
#include "domain/finished_job.h"
#include "util/status.h"

namespace sfapid {

// A batch script to submit, already read (or written) as the user.
struct JobScript {
  UnixIdentity who;
  std::string path;        // the script file, owned or readable by the user
  std::string text;        // its content at submission time (the job runs this copy)
  std::string submit_dir;  // where sbatch would have been run: SLURM_SUBMIT_DIR, default outputs
  std::vector<std::string> args;
  // When set, the account the job is charged to whatever the script says: the one the project
  // check approved (the script cannot name another by a form the check did not read, nor by
  // being rewritten after it).
  std::string charge_account;
};

// What may change of a pending job (IRI updateJob; Slurm's `scontrol update`): each field that is
// set replaces the job's, the others stay.
struct JobChanges {
  std::optional<std::string> name;       // JobName=
  std::optional<int64_t> time_limit;     // TimeLimit=, seconds
  std::optional<std::string> partition;  // Partition=
  std::optional<std::string> account;    // Account=, already checked as chargeable
  std::optional<int> nodes;              // NumNodes=

  bool empty() const { return !name && !time_limit && !partition && !account && !nodes; }
};

// One kwargs filter: name=value (spec §3).
struct JobFilter {
  std::string name;
  std::string value;
};

struct JobQuery {
  bool sacct = false;  // accounting rows instead of queue rows
  std::vector<JobFilter> filters;
  std::size_t index = 0;             // rows to skip (after filtering)
  std::optional<std::size_t> limit;  // rows to return at most
  bool fresh = false;                // cached=false: nothing older than the request
  std::string requester;             // the API user asking (read-your-writes for cached views)
};

// A queue (squeue) or accounting (sacct) row: every field name of spec §3, every value a string.
using JobRow = boost::json::object;
// The same row serialised as JSON, shared: a backend that keeps rows between requests (Slurm's
// snapshots) serialises each once, and answers are then built by copying text.
using SerializedRow = std::shared_ptr<const std::string>;
// A field of a row, "" when absent.
inline std::string RowField(const JobRow& row, std::string_view key) {
  const auto* v = row.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
inline SerializedRow Serialize(const JobRow& row) {
  return std::make_shared<const std::string>(boost::json::serialize(row));
}

// A reservation as the scheduler makes it (Slurm: scontrol create reservation). Names are the
// scheduler's: Unix accounts and the Slurm account.
struct ReservationSpec {
  std::string name;                     // ReservationName, unique in the cluster
  std::vector<std::string> unix_users;  // Users=; empty: every user of the account
  std::string account;                  // Accounts=: jobs must be charged to it
  int nodes = 0;                        // NodeCnt=
  int64_t start = 0, end = 0;           // Unix seconds
  std::string partition, constraint;    // PartitionName=, Features= ("" = any)
};

// A reservation as the scheduler reports it back (scontrol show reservation).
struct PlacedReservation {
  std::string name;
  std::vector<std::string> node_names;
  int64_t start = 0, end = 0;
  bool active = false;  // State=ACTIVE
  // Whom it admits, as the scheduler has it: to tell sfapid's own reservation from another one
  // of the same name (an operator's) before taking it over after a crash.
  std::string account;
  std::vector<std::string> unix_users;
};

// A job's state as it moves before its end (PENDING, RUNNING, ...): for the event stream. Ends
// are reported as FinishedJob, once.
struct JobStateChange {
  std::string system;
  std::string jobid;  // "123", or "123_4" for an array task
  std::string user;   // the API user who submitted it
  std::string state;  // Slurm's name
};

class Scheduler {
 public:
  using JobEndedHandler = std::function<void(const FinishedJob&)>;
  using JobStateHandler = std::function<void(const JobStateChange&)>;

  virtual ~Scheduler() = default;
  // "local" or "slurm": for messages.
  virtual std::string backend_name() const = 0;
  // Does the scheduler answer? A failure says why, for the system's status note.
  virtual Status Health() = 0;

  // Called once for every job that ends (at least once, also for jobs that ended while sfapid was
  // down). Set before Start().
  virtual void SetJobEndedHandler(JobEndedHandler handler) = 0;
  // Called when a job's state changes before it ends, as far as the backend sees it (at least
  // once: a restart may report a state again). Set before Start(). Optional for a backend.
  virtual void SetJobStateHandler(JobStateHandler) {}
  virtual void Start() = 0;
  virtual void Stop() = 0;

  // The job id ("123"). InvalidArgument carries sbatch's own error text ("sbatch: error: ...");
  // Unavailable when the scheduler cannot be reached.
  virtual Result<std::string> Submit(const JobScript& script) = 0;
  // Rows sorted by job id. InvalidArgument carries the command's error text.
  virtual Result<std::vector<SerializedRow>> Query(const JobQuery& query) = 0;
  // Query's answer when it can be given at once, on a thread that must not wait (no process, no
  // store read, no lock another holds, little work), else nullopt: then ask Query.
  virtual std::optional<Result<std::vector<SerializedRow>>> QueryAtOnce(const JobQuery&) {
    return std::nullopt;
  }
  // Cancels a job (every task of an array) as `who`. InvalidArgument carries scancel's error text.
  virtual Status Cancel(const UnixIdentity& who, const std::string& jobid) = 0;
  // Changes a pending job of `who`'s (every task of an array) in one step. NotFound: no such job
  // of theirs; FailedPrecondition: it is not pending ("job <id> is not pending: only a pending job
  // can be changed"); PermissionDenied: the scheduler's limits forbid the change for this user;
  // InvalidArgument: a value the job cannot take, in scontrol's words. Empty changes only check.
  virtual Status UpdateJob(const UnixIdentity& who, const std::string& jobid,
                           const JobChanges& changes) = 0;
  // The account a job of `who`'s that names none is charged to (the system's default_account;
  // Slurm: the user's default association).
  virtual Result<std::string> DefaultAccount(const UnixIdentity& who) = 0;

  // --- reservations (docs/reservations.md) ---
  // Makes the reservation and places it on nodes. InvalidArgument carries the scheduler's refusal
  // in its words ("Requested nodes are busy", ...); AlreadyExists when the name is taken (Slurm
  // instead takes over its own copy made before a crash, and refuses another's of that name).
  virtual Result<PlacedReservation> CreateReservation(const ReservationSpec&) {
    return Status::FailedPrecondition(backend_name() + " scheduler has no reservations");
  }
  // Changes nodes, times or users of an existing reservation; the old one stays when refused.
  virtual Result<PlacedReservation> UpdateReservation(const ReservationSpec&) {
    return Status::FailedPrecondition(backend_name() + " scheduler has no reservations");
  }
  // Removes it; Ok when it is already gone (deleting twice is safe after a crash).
  virtual Status DeleteReservation(const std::string& name) {
    (void)name;
    return Status::FailedPrecondition(backend_name() + " scheduler has no reservations");
  }
  // The reservation as the scheduler has it, or nullopt when it has none by that name.
  virtual Result<std::optional<PlacedReservation>> GetReservation(const std::string& name) {
    (void)name;
    return Status::FailedPrecondition(backend_name() + " scheduler has no reservations");
  }
  // How many nodes reservations may take in all (the cluster's node count).
  virtual Result<int> ReservableNodes() {
    return Status::FailedPrecondition(backend_name() + " scheduler has no reservations");
  }

  // --- a submission whose sfapid node died while it ran (TaskEngine::OnOrphan) ---
  // The ids of the jobs submitted from script.path by script.who at or after `since` (Unix
  // seconds), as the scheduler knows them now (a view taken after this call began). When there
  // is exactly one, it is taken over: watched until it ends as if this node had submitted it,
  // for script.who.api_user, in `reservation` ("" = none). FailedPrecondition when this
  // scheduler cannot tell.
  virtual Result<std::vector<std::string>> FindSubmitted(const JobScript& script, int64_t since,
                                                         const std::string& reservation) {
    (void)script, (void)since, (void)reservation;
    return Status::FailedPrecondition(backend_name() + " scheduler cannot look for submissions");
  }

  // Prometheus text lines about this scheduler (commands run, snapshot age, ...), or "".
  virtual std::string Metrics() const { return ""; }
};

class RunAs;
class SharedViews;
class SchedulerOwners;
class WatchedJobs;
// What a scheduler keeps in the store, and the other sfapid nodes it shares its work with. The
// Slurm backend keeps the jobs it watches until they end in the store (watched; always set when
// there is a store). views and owners are null for a node alone (a SQLite store); with a shared
// store, Slurm's queue is read once per refresh for all nodes and the nodes take turns watching
// (views), and a local-scheduler system runs on one node only (owners).
struct SchedulerPeers {
  SharedViews* views = nullptr;
  SchedulerOwners* owners = nullptr;
  std::string node;  // this node's name ([server] node_name)
  WatchedJobs* watched = nullptr;
};
// The scheduler a compute system's config names, keeping its state in `spool` (the system's
// spool_dir under data_dir). Slurm submits and cancels through `runas`.
Result<std::unique_ptr<Scheduler>> MakeScheduler(const SystemConfig& system,
                                                 const std::string& spool, RunAs& runas,
                                                 const SchedulerPeers& peers = {});

}  // namespace sfapid
