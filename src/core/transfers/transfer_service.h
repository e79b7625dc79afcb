// Transfers between endpoints (the Globus-shaped /storage/globus/transfer API) done by rsync as the
// user: files and whole trees, checksummed (xxh128), with progress read while it runs. A transfer
// is a task underneath; its record keeps the Globus-style status and counters.
#pragma once

#include <string>
#include <vector>

#include "backends/runas/run_as.h"
#include "config/config.h"
#include "core/files/file_service.h"
#include "core/tasks/task_engine.h"
#include "store/transfer_store.h"

namespace sfapid {

struct TransferRequest {
  std::string source_endpoint, target_endpoint, source_path, target_path, label;
};

class TransferService {
 public:
  // systems: what endpoints name; transfers: endpoints, limits and how files are copied.
  TransferService(const std::vector<SystemConfig>& systems, const TransfersConfig& transfers,
                  RunAs& runas, TaskEngine& tasks, TransferStore& store, FileService& files)
      : systems_(systems),
        transfers_(transfers),
        runas_(runas),
        tasks_(tasks),
        store_(store),
        files_(files) {
    tasks_.OnOrphansEnded([this] { Recover(); });
  }

  // Ends ACTIVE transfers whose task no longer runs (FAILED with a reason): at start, and after
  // the task engine ended a restarted or dead node's tasks.
  void Recover();
  // The transfer id. InvalidArgument (unknown endpoint, relative path, over the limits) is shown
  // to the user in-band; PermissionDenied when the user cannot be acted as.
  Result<std::string> Start(const std::string& user, const TransferRequest& request);
  Result<TransferRecord> Get(const std::string& id, const std::string& user);
  Status Cancel(const std::string& id, const std::string& user);

  // The system behind an endpoint id, or nullptr.
  const SystemConfig* EndpointSystem(const std::string& id) const;

 private:
  TaskOutcome Run(const UnixIdentity& who, const TransferRecord& t, bool source_is_folder,
                  TaskContext& ctx);
  const std::vector<SystemConfig>& systems_;
  const TransfersConfig& transfers_;
  RunAs& runas_;
  TaskEngine& tasks_;
  TransferStore& store_;
  FileService& files_;
};

// "  1,234,567  45%  12.34MB/s    0:00:10 (xfr#1, to-chk=0/1)" → 1234567 (rsync --info=progress2).
std::optional<int64_t> ParseRsyncProgressBytes(std::string_view line);

}  // namespace sfapid
