// Job-end callbacks: a submitter's callbackUrl / callbackEmail are registered with the job; when
// the job ends its usage is charged and one delivery per channel is stored, then worker threads
// POST (signed) or mail it, retrying with back-off until it is delivered or its timeout passes.
// Deliveries live in the store, so a restart resumes them (at least once: receivers dedupe on
// X-Sfapi-Delivery). Reservation state changes reach their requester the same way.
// docs/callbacks.md has the wire format.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "core/callbacks/callback_key.h"
#include "core/callbacks/callback_request.h"
#include "domain/delivery_attempt.h"
#include "domain/finished_job.h"
#include "domain/reservation.h"
#include "store/compute_store.h"
#include "store/reservation_store.h"

namespace sfapid {

class CallbackService {
 public:
  // key_dir: the server's keys folder (callback.key is made there on first use); outbox_dir: the
  // absolute folder mail goes to when no mail_command is set.
  CallbackService(const CallbacksConfig& config, ComputeStore& store, std::string key_dir,
                  std::string outbox_dir);
  ~CallbackService();  // Stop()s
  CallbackService(const CallbackService&) = delete;
  CallbackService& operator=(const CallbackService&) = delete;

  // The one check of what a submitter asks for, against [callbacks]: an InvalidField naming the
  // form field (see ValidateCallbackRequest). Done before the job is submitted.
  Result<ValidCallbackRequest> Validate(CallbackRequest request) const;
  // Remembers what to do when the job ends; an empty request is a no-op. A job that has already
  // ended (JobEnded came first) gets its deliveries now. Registering again replaces.
  Status Register(const std::string& system, const std::string& jobid, const std::string& client_id,
                  const std::string& user, const ValidCallbackRequest& request);
  // Charges the job's node-hours and creates its deliveries. Idempotent: a second report of the
  // same (system, jobid) changes nothing. Any thread.
  Status JobEnded(const FinishedJob& job);

  // Tells the requester of `r` (its callbackUrl / callbackEmail, signed with its client's secret)
  // about history line `seq` of it. Idempotent: the same seq twice notifies once. Any thread.
  Status ReservationChanged(const Reservation& r, const ReservationNotice& notice);

  // Loads (or creates) the callback key and starts the workers, which resume the deliveries a
  // previous run left pending.
  Status Start();
  // Returns promptly: attempts in flight are cut short and stay pending for the next run.
  void Stop();

  // The client's signing secret (lowercase hex), for `sfapid client callback-secret`.
  Result<std::string> SecretFor(const std::string& client_id);

 private:
  Status CreateDeliveries(const CallbackRegistration& r, const FinishedJob& job);
  // One delivery per target (url, email) of `event` keyed (system, key); body_of builds the
  // event's JSON for a delivery id. `since_ms`: when it happened, where the timeout counts from.
  Status AddDeliveries(const std::string& system, const std::string& key,
                       const std::string& client_id, const std::string& url,
                       const std::string& email, const std::string& event, int64_t since_ms,
                       double timeout_seconds,
                       const std::function<std::string(const std::string&, int64_t)>& body_of);
  void Wake();
  void WorkerLoop();
  // false when the outcome could not be stored.
  bool Attempt(const CallbackDelivery& d);
  AttemptOutcome Send(const CallbackDelivery& d, int64_t now_ms);
  Result<const CallbackKey*> Key();

  const CallbacksConfig& config_;
  ComputeStore& store_;
  const std::string key_dir_;
  const std::string outbox_dir_;

  std::mutex key_mu_;
  std::optional<CallbackKey> key_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t wakeups_ = 0;             // bumped when deliveries are added
  std::set<std::string> in_flight_;  // delivery ids a worker is attempting
  std::vector<std::thread> workers_;
  StopSignal stop_;
};

}  // namespace sfapid
