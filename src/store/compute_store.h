// Persistence of what happens after a job ends: the node-hours each finished job charged to its
// account, the job-end callbacks users asked for at submit, and the deliveries made for them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/finished_job.h"
#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

struct UsageRow {
  std::string system;
  std::string account;
  int64_t jobs = 0;
  double node_hours = 0;
};

// What the submitter asked for (callbackUrl / callbackEmail / callbackTimeout), one per job.
struct CallbackRegistration {
  std::string system, jobid;
  std::string client_id;  // the API client that submitted: its secret signs the callback
  std::string user;
  std::string url;             // empty: no HTTP callback
  std::string email;           // empty: no mail
  double timeout_seconds = 0;  // how long deliveries are retried, counted from the job's end
  TimePoint created_at;
};

// One notification of one ended job: a POST to a URL or a mail, retried until it is delivered or
// expires. Times that drive the retries are Unix milliseconds: back-off steps can be sub-second.
struct CallbackDelivery {
  std::string id;  // a UUID, sent as X-Sfapi-Delivery and "delivery_id"
  // jobid: the job's id, or "reservation:<id>:<event seq>" for a reservation's state change.
  std::string system, jobid, client_id;
  std::string event = "job.ended";  // or "reservation.changed": X-Sfapi-Event, the mail's form
  std::string kind;                 // "url" | "email"
  std::string target;               // the URL or the mail address
  std::string state;  // "pending" | "delivered" | "expired" | "refused" (blocked network)
  int attempts = 0;
  int64_t created_ms = 0;       // when the job's end was seen
  int64_t expires_ms = 0;       // created_ms + the registration's timeout
  int64_t next_attempt_ms = 0;  // while pending
  std::string last_error;       // why the last attempt failed ("" after a success)
  std::optional<TimePoint> delivered_at;
  std::string body;  // the JSON event, as last sent (or as it will be sent, before the first try)
};

class ComputeStore {
 public:
  virtual ~ComputeStore() = default;

  // --- usage ---
  // Records a finished job and its charge once: true when recorded now, false when this
  // (system, jobid) was recorded before (the second report changes nothing).
  virtual Result<bool> RecordUsage(const FinishedJob& job) = 0;
  // The finished job as recorded, or nullopt when its end has not been recorded.
  virtual Result<std::optional<FinishedJob>> GetFinishedJob(const std::string& system,
                                                            const std::string& jobid) = 0;
  // Jobs and node-hours per (system, account), sorted; account empty: every account's.
  virtual Result<std::vector<UsageRow>> UsageByAccount(const std::string& account) = 0;
  // Sets each account's running total of finished-job charges (what the check at every
  // submission reads) to the sum of its recorded jobs: RecordUsage keeps the total, but a node
  // of the previous version during a rolling upgrade records jobs without it. Run at start.
  virtual Status RecountUsageTotals() = 0;

  // --- callbacks ---
  // Stores a job's registration, replacing an earlier one for the same (system, jobid).
  virtual Status SaveRegistration(const CallbackRegistration& r) = 0;
  virtual Result<std::optional<CallbackRegistration>> GetRegistration(const std::string& system,
                                                                      const std::string& jobid) = 0;
  // Adds a delivery unless the job already has one of that kind: true when added.
  virtual Result<bool> AddDelivery(const CallbackDelivery& d) = 0;
  virtual Result<CallbackDelivery> GetDelivery(const std::string& id) = 0;
  virtual Result<std::vector<CallbackDelivery>> DeliveriesOfJob(const std::string& system,
                                                                const std::string& jobid) = 0;
  // Pending deliveries no node holds at now_ms (see ClaimDelivery), the soonest due first, at
  // most limit of them.
  virtual Result<std::vector<CallbackDelivery>> PendingDeliveries(int limit, int64_t now_ms) = 0;
  // Takes a pending delivery for one attempt until until_ms, unless a node holds it (a claim
  // that has not run out at now_ms): true when taken. Several nodes on one store make each
  // attempt once; a node that dies mid-attempt leaves the delivery to others once it runs out.
  virtual Result<bool> ClaimDelivery(const std::string& id, int64_t now_ms, int64_t until_ms) = 0;
  // Writes an attempt's outcome (state, attempts, next_attempt_ms, last_error, delivered_at,
  // body) to a delivery that is still pending, and lets go of its claim; an ended one stays as
  // it is.
  virtual Status UpdateDelivery(const CallbackDelivery& d) = 0;
};

}  // namespace sfapid
