#include "core/callbacks/callback_service.h"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include "backends/notify/http_post.h"
#include "core/callbacks/job_ended_event.h"
#include "core/callbacks/mail_sender.h"
#include "core/callbacks/reservation_changed_event.h"
#include "util/uuid.h"

namespace sfapid {

namespace {

// Attempts in parallel: a receiver that never answers holds one worker for attempt_timeout, so a
// few dead receivers must not hold up everyone else's callbacks.
constexpr int kWorkers = 4;
// Workers look at the store this often even when nothing woke them (a clock step, a delivery
// written by another process).
constexpr auto kIdlePoll = std::chrono::seconds(10);

int64_t NowMs() { return NowUnixMs(); }

TimePoint ToTimePoint(int64_t ms) { return TimePoint{std::chrono::seconds{ms / 1000}}; }

// "20261127T172333Z-perlmutter-123.eml"; anything odd in a name becomes '_'.
std::string OutboxFileName(int64_t now_ms, const std::string& system, const std::string& jobid) {
  const auto t = ToTimePoint(now_ms);
  std::string stamp = FormatIso8601(t).substr(0, 19);  // 2026-11-27T17:23:33
  stamp.erase(std::remove(stamp.begin(), stamp.end(), '-'), stamp.end());
  stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
  auto clean = [](std::string s) {
    for (char& c : s)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') c = '_';
    return s.empty() || s[0] == '.' ? "_" + s : s;
  };
  return stamp + "Z-" + clean(system) + "-" + clean(jobid) + ".eml";
}

// first_retry, doubling per failed attempt, capped at max_retry.
int64_t BackoffMs(const CallbacksConfig& c, int attempts) {
  const double s = std::min(c.max_retry_seconds,
                            c.first_retry_seconds * std::pow(2.0, std::max(0, attempts - 1)));
  return static_cast<int64_t>(s * 1000);
}

std::string TargetForLogs(const CallbackDelivery& d) {
  return d.kind == "url" ? UrlForLogs(d.target) : "<" + d.target + ">";
}

}  // namespace

CallbackService::CallbackService(const CallbacksConfig& config, ComputeStore& store,
                                 std::string key_dir, std::string outbox_dir)
    : config_(config),
      store_(store),
      key_dir_(std::move(key_dir)),
      outbox_dir_(std::move(outbox_dir)) {}

CallbackService::~CallbackService() { Stop(); }

Result<ValidCallbackRequest> CallbackService::Validate(CallbackRequest request) const {
  return ValidateCallbackRequest(std::move(request), config_);
}

Result<const CallbackKey*> CallbackService::Key() {
  std::lock_guard lock(key_mu_);
  if (!key_) {
    auto key = CallbackKey::LoadOrCreate(key_dir_);
    if (!key) return key.status();
    key_ = std::move(key).value();
  }
  return &*key_;
}

Result<std::string> CallbackService::SecretFor(const std::string& client_id) {
  auto key = Key();
  if (!key) return key.status();
  return (*key)->SecretFor(client_id);
}

Status CallbackService::Register(const std::string& system, const std::string& jobid,
                                 const std::string& client_id, const std::string& user,
                                 const ValidCallbackRequest& valid) {
  const CallbackRequest& request = valid.get();
  if (request.empty()) return Status::Ok();
  const CallbackRegistration r{system,
                               jobid,
                               client_id,
                               user,
                               request.url,
                               request.email,
                               request.timeout_seconds.value_or(config_.default_timeout_seconds),
                               Now()};
  if (Status s = store_.SaveRegistration(r); !s.ok()) return s;
  // The job may have ended before its submitter got here (a short job, a busy server).
  auto ended = store_.GetFinishedJob(system, jobid);
  if (!ended) return ended.status();
  return *ended ? CreateDeliveries(r, **ended) : Status::Ok();
}

Status CallbackService::JobEnded(const FinishedJob& job) {
  if (job.array_summary) {
    auto r = store_.GetRegistration(job.system, job.jobid);
    if (!r) return r.status();
    return *r ? CreateDeliveries(**r, job) : Status::Ok();
  }
  auto recorded = store_.RecordUsage(job);
  if (!recorded) {
    spdlog::error("job {} on {} ended but its usage was not recorded: {}", job.jobid, job.system,
                  recorded.status().message());
    return recorded.status();
  }
  if (*recorded)
    spdlog::debug("job {} on {} ended {}: {:.4f} node-hours charged to {}", job.jobid, job.system,
                  job.state, job.NodeHours(), job.account);
  auto r = store_.GetRegistration(job.system, job.jobid);
  if (!r) return r.status();
  return *r ? CreateDeliveries(**r, job) : Status::Ok();
}

Status CallbackService::CreateDeliveries(const CallbackRegistration& r, const FinishedJob& job) {
  // The timeout counts from the job's end, not from submission (a job may queue for days) nor
  // from when the scheduler noticed the end (Slurm's accounting tells seconds later).
  const int64_t now = NowMs();
  const int64_t ended_ms = job.end_time > 0 ? std::min(now, job.end_time * 1000) : now;
  return AddDeliveries(r.system, r.jobid, r.client_id, r.url, r.email, "job.ended", ended_ms,
                       r.timeout_seconds, [&](const std::string& id, int64_t at_ms) {
                         return JobEndedBody(job, id, ToTimePoint(at_ms));
                       });
}

Status CallbackService::ReservationChanged(const Reservation& r, const ReservationNotice& n) {
  const int64_t now = NowMs();
  return AddDeliveries(r.machine, fmt::format("reservation:{}:{}", r.id, n.seq), r.client_id,
                       r.callback_url, r.callback_email, kReservationChangedEvent,
                       std::min(now, n.event.at * 1000), config_.default_timeout_seconds,
                       [&](const std::string& id, int64_t at_ms) {
                         return ReservationChangedBody(r, n.event, n.seq, id, ToTimePoint(at_ms));
                       });
}

Status CallbackService::AddDeliveries(
    const std::string& system, const std::string& key, const std::string& client_id,
    const std::string& url, const std::string& email, const std::string& event, int64_t since_ms,
    double timeout_seconds,
    const std::function<std::string(const std::string&, int64_t)>& body_of) {
  const int64_t now = NowMs();
  bool added = false;
  for (const auto& [kind, target] : {std::pair{"url", url}, std::pair{"email", email}}) {
    if (target.empty()) continue;
    CallbackDelivery d;
    d.id = NewUuid();
    d.system = system;
    d.jobid = key;
    d.client_id = client_id;
    d.event = event;
    d.kind = kind;
    d.target = target;
    d.state = "pending";
    d.created_ms = now;
    // One attempt is made however late it is.
    d.expires_ms = std::max(now, since_ms + static_cast<int64_t>(timeout_seconds * 1000));
    d.next_attempt_ms = now;
    d.body = body_of(d.id, now);
    auto a = store_.AddDelivery(d);
    if (!a) return a.status();
    added = added || *a;
  }
  if (added) Wake();
  return Status::Ok();
}

void CallbackService::Wake() {
  {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  cv_.notify_all();
}

Status CallbackService::Start() {
  if (auto key = Key(); !key) return key.status();
  std::lock_guard lock(mu_);
  if (!workers_.empty()) return Status::Ok();
  stopping_ = false;
  stop_.Reset();
  if (auto pending = store_.PendingDeliveries(100000, NowMs()); pending && !pending->empty())
    spdlog::info("resuming {} pending callback deliver{}", pending->size(),
                 pending->size() == 1 ? "y" : "ies");
  for (int i = 0; i < kWorkers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  return Status::Ok();
}

void CallbackService::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    workers.swap(workers_);
  }
  cv_.notify_all();
  stop_.Fire();  // cuts short the POSTs and mail commands in flight
  for (auto& t : workers) t.join();
}

void CallbackService::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const uint64_t seen = wakeups_;
    auto woken = [&] { return stopping_ || wakeups_ != seen; };
    // At most in_flight_.size() of the soonest are taken by other workers: one more row is enough
    // to find the soonest free one, if there is any.
    auto pending = store_.PendingDeliveries(static_cast<int>(in_flight_.size()) + 1, NowMs());
    if (!pending) {
      spdlog::error("callbacks: cannot read pending deliveries: {}", pending.status().message());
      cv_.wait_for(lock, std::chrono::seconds(5), woken);
      continue;
    }
    auto next = std::find_if(pending->begin(), pending->end(),
                             [&](const CallbackDelivery& d) { return !in_flight_.count(d.id); });
    if (next == pending->end()) {
      cv_.wait_for(lock, kIdlePoll, woken);
      continue;
    }
    if (const int64_t wait = next->next_attempt_ms - NowMs(); wait > 0) {
      cv_.wait_for(lock,
                   std::min<std::chrono::milliseconds>(std::chrono::milliseconds(wait), kIdlePoll),
                   woken);
      continue;
    }
    const CallbackDelivery d = *next;
    in_flight_.insert(d.id);
    lock.unlock();
    // Another node on the same store may have taken it since it was read: then it is theirs.
    const int64_t now = NowMs();
    // Held for twice the longest an attempt may take (a POST or the mail command), and then
    // some: a node that died mid-attempt frees it after that.
    const auto claim_ms = static_cast<int64_t>(config_.attempt_timeout_seconds * 2000) + 30000;
    auto claimed = store_.ClaimDelivery(d.id, now, now + claim_ms);
    if (!claimed || !*claimed) {
      if (!claimed)
        spdlog::error("callbacks: cannot claim {}: {}", d.id, claimed.status().message());
      lock.lock();
      in_flight_.erase(d.id);
      if (!claimed) cv_.wait_for(lock, std::chrono::seconds(5), [&] { return stopping_; });
      continue;
    }
    const bool recorded = Attempt(d);
    lock.lock();
    in_flight_.erase(d.id);
    // Its outcome could not be written, so it still looks due: do not hammer the receiver.
    if (!recorded) cv_.wait_for(lock, std::chrono::seconds(5), [&] { return stopping_; });
  }
}

AttemptOutcome CallbackService::Send(const CallbackDelivery& d, int64_t now_ms) {
  const double timeout = config_.attempt_timeout_seconds;
  if (d.kind == "email") {
    const std::string message =
        d.event == kReservationChangedEvent
            ? ReservationChangedMail(d.body, config_.mail_from, d.target, ToTimePoint(now_ms))
            : JobEndedMail(d.body, config_.mail_from, d.target, ToTimePoint(now_ms));
    if (config_.mail_command.empty())
      return WriteToOutbox(outbox_dir_, OutboxFileName(now_ms, d.system, d.jobid), message);
    return RunMailCommand(config_.mail_command, message, timeout, stop_);
  }
  auto key = Key();
  if (!key) return {AttemptOutcome::kFailed, "no callback key: " + key.status().message()};
  HttpPost post;
  post.url = d.target;
  post.body = d.body;
  post.timeout_seconds = timeout;
  post.blocked_networks = config_.blocked_networks;
  post.block_host_addresses = config_.block_host_addresses;
  post.headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", std::string("sfapid/") + SFAPID_VERSION},
      {"X-Sfapi-Event", d.event},
      {"X-Sfapi-Delivery", d.id},
      // Keyed with the secret's hex text, the form users are given.
      {"X-Sfapi-Signature", "sha256=" + HmacSha256Hex((*key)->SecretFor(d.client_id), d.body)},
  };
  return PostOnce(post, stop_);
}

bool CallbackService::Attempt(const CallbackDelivery& pending) {
  const int64_t started = NowMs();
  CallbackDelivery d = pending;
  d.attempts += 1;
  d.body = WithSentAt(pending.body, ToTimePoint(started));
  const AttemptOutcome out = Send(d, started);
  // Cut short by Stop(): nothing is recorded but the claim is let go, so that the next run (or
  // another node) tries again at once rather than when the claim runs out.
  if (out.kind == AttemptOutcome::kInterrupted) {
    if (Status s = store_.UpdateDelivery(pending); !s.ok())
      spdlog::warn("callback {}: letting go of it at stop failed: {}", pending.id, s.message());
    return true;
  }
  const int64_t now = NowMs();
  const std::string what =
      fmt::format("callback {} for {} {} on {} to {}", d.id,
                  d.event == "job.ended" ? "job" : "event", d.jobid, d.system, TargetForLogs(d));
  if (out.kind == AttemptOutcome::kDelivered) {
    d.state = "delivered";
    d.last_error.clear();
    d.delivered_at = ToTimePoint(now);
    spdlog::info("{} delivered ({}, attempt {})", what, out.detail, d.attempts);
  } else if (out.kind == AttemptOutcome::kRefused) {
    // A blocked destination stays blocked: trying again would only probe the network for the
    // user.
    d.state = "refused";
    d.last_error = out.detail;
    spdlog::warn("{} refused: {}", what, out.detail);
  } else if (now >= d.expires_ms) {
    d.state = "expired";
    d.last_error = out.detail;
    spdlog::warn("{} expired after {} attempt{}: {}", what, d.attempts, d.attempts == 1 ? "" : "s",
                 out.detail);
  } else {
    d.last_error = out.detail;
    // The last retry happens at the deadline itself rather than being skipped.
    d.next_attempt_ms = std::min(now + BackoffMs(config_, d.attempts), d.expires_ms);
    spdlog::info("{} failed (attempt {}): {}; retry in {:g} s", what, d.attempts, out.detail,
                 static_cast<double>(d.next_attempt_ms - now) / 1000.0);
  }
  if (Status s = store_.UpdateDelivery(d); !s.ok()) {
    spdlog::error("{}: outcome not recorded: {}", what, s.message());
    return false;
  }
  return true;
}

}  // namespace sfapid
