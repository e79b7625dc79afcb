#include "core/status/status_service.h"

#include <spdlog/spdlog.h>

namespace sfapid {

bool IsValidSystemStatus(std::string_view s) {
  return s == "active" || s == "degraded" || s == "unavailable" || s == "other";
}

namespace {

std::string DefaultDescription(std::string_view status) {
  if (status == "active") return "System is active";
  if (status == "degraded") return "System is degraded";
  if (status == "unavailable") return "System is unavailable";
  return "System status is unknown";
}

}  // namespace

StatusService::StatusService(const std::vector<SystemConfig>& systems, const StatusConfig& config,
                             StatusStore& store, std::map<std::string, Scheduler*> schedulers)
    : systems_(systems),
      config_(config),
      store_(store),
      schedulers_(std::move(schedulers)),
      started_(Now()) {}

StatusService::~StatusService() { Stop(); }

void StatusService::Start() {
  ProbeAll();
  Refresh();
  thread_ = std::thread([this] { Loop(); });
}

void StatusService::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const StatusSnapshot> StatusService::Snapshot() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

void StatusService::ProbeAll() {
  for (auto& [name, scheduler] : schedulers_) {
    Status health = scheduler->Health();
    std::lock_guard lock(mu_);
    ProbeResult& p = probes_[name];
    if (health.ok() && !p.ok) spdlog::info("system {}: scheduler answers again", name);
    if (!health.ok() && (p.ok || p.reason != health.message()))
      spdlog::warn("system {}: scheduler is not answering: {}", name, health.message());
    if (health.ok() != p.ok) p.since = Now();
    p.ok = health.ok();
    p.reason = health.message();
  }
}

void StatusService::Refresh() {
  auto statuses = store_.ListStatuses();
  auto outages = store_.ListOutages("");
  auto notes = store_.ListNotes("");
  if (!statuses || !outages || !notes) {
    // Keep serving the last snapshot: a status page must not go blank when the store hiccups.
    spdlog::warn("status refresh failed: {}", (!statuses  ? statuses.status()
                                               : !outages ? outages.status()
                                                          : notes.status())
                                                  .message());
    return;
  }
  auto snap = std::make_shared<StatusSnapshot>();
  for (const auto& system : systems_) {
    snap->outages[system.name];
    snap->notes[system.name];
  }
  for (auto& o : *outages)
    if (auto it = snap->outages.find(o.name); it != snap->outages.end()) it->second.push_back(o);
  for (auto& n : *notes)
    if (auto it = snap->notes.find(n.name); it != snap->notes.end()) it->second.push_back(n);

  std::lock_guard lock(mu_);
  for (const auto& system : systems_) {
    SystemStatusView v;
    v.system = &system;
    v.status = "active";
    v.updated_at = started_;
    for (const auto& r : *statuses) {
      if (r.name != system.name) continue;
      v.status = r.status;
      v.description = r.description;
      v.updated_at = r.updated_at;
    }
    for (const auto& n : snap->notes[system.name])
      if (n.active) v.notes.push_back(n.notes);
    if (auto p = probes_.find(system.name); p != probes_.end() && !p->second.ok) {
      // A probe failure outranks what the operator last said: the system cannot take jobs now.
      v.status = "unavailable";
      v.description = "Scheduler is not answering";
      v.updated_at = p->second.since;
      v.notes.push_back("Scheduler (" + schedulers_.at(system.name)->backend_name() +
                        ") is not answering since " + FormatIso8601(p->second.since) + ": " +
                        p->second.reason);
    }
    if (v.description.empty()) v.description = DefaultDescription(v.status);
    snap->systems.push_back(std::move(v));
  }
  snapshot_ = std::move(snap);
}

void StatusService::Loop() {
  using namespace std::chrono;
  const auto refresh_every = duration<double>(config_.refresh_interval_seconds);
  const auto probe_every = duration<double>(config_.probe_interval_seconds);
  auto next_probe = steady_clock::now() + duration_cast<steady_clock::duration>(probe_every);
  std::unique_lock lock(wake_mu_);
  while (!wake_.wait_for(lock, refresh_every, [this] { return stopping_; })) {
    lock.unlock();
    if (steady_clock::now() >= next_probe) {
      ProbeAll();
      next_probe = steady_clock::now() + duration_cast<steady_clock::duration>(probe_every);
    }
    Refresh();
    lock.lock();
  }
}

}  // namespace sfapid
