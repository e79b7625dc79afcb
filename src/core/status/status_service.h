// What each system's status is, as users see it: the operator's word (status, outages, notes in
// the store) combined with live probes of each compute system's scheduler. Reads are served from an
// in-memory snapshot that a background thread refreshes, so a status request never waits on the
// store or a scheduler.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backends/scheduler/scheduler.h"
#include "config/config.h"
#include "store/status_store.h"

namespace sfapid {

struct SystemStatusView {
  const SystemConfig* system = nullptr;
  std::string status;  // active | degraded | unavailable | other
  std::string description;
  std::vector<std::string> notes;
  TimePoint updated_at;
};

struct StatusSnapshot {
  std::vector<SystemStatusView> systems;                     // in configuration order
  std::map<std::string, std::vector<OutageRecord>> outages;  // by system, every system present
  std::map<std::string, std::vector<NoteRecord>> notes;      // by system, every system present
};

bool IsValidSystemStatus(std::string_view s);

class StatusService {
 public:
  // systems: whose status is told, in this order; status: how often to refresh and probe.
  StatusService(const std::vector<SystemConfig>& systems, const StatusConfig& config,
                StatusStore& store, std::map<std::string, Scheduler*> schedulers);
  ~StatusService();

  // Loads the first snapshot and probes once, then keeps both fresh in the background.
  void Start();
  void Stop();

  std::shared_ptr<const StatusSnapshot> Snapshot() const;
  // Reloads from the store now (used after a change made through this process).
  void Refresh();

 private:
  struct ProbeResult {
    bool ok = true;
    std::string reason;
    TimePoint since;
  };
  void ProbeAll();
  void Loop();

  const std::vector<SystemConfig>& systems_;
  const StatusConfig& config_;
  StatusStore& store_;
  std::map<std::string, Scheduler*> schedulers_;
  const TimePoint started_;

  mutable std::mutex mu_;
  std::shared_ptr<const StatusSnapshot> snapshot_;
  std::map<std::string, ProbeResult> probes_;

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sfapid
