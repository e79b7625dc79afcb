// Persistence of transfers (POST /storage/globus/transfer): what is copied where, and how far it
// got.
#pragma once

#include <optional>
#include <string>

#include "util/status.h"
#include "util/time_format.h"

namespace sfapid {

struct TransferRecord {
  std::string id;  // a UUID, as Globus transfer ids are
  std::string owner;
  std::string label;
  std::string source_endpoint, source_path, target_endpoint, target_path;
  std::string task_id;
  std::string status;  // ACTIVE | SUCCEEDED | FAILED | CANCELED
  std::string reason;
  int64_t bytes_transferred = 0;
  int64_t bytes_per_second = 0;
  TimePoint created_at;
  std::optional<TimePoint> completed_at;
};

class TransferStore {
 public:
  virtual ~TransferStore() = default;
  virtual Status CreateTransfer(const TransferRecord& t) = 0;
  virtual Status SetTransferTask(const std::string& id, const std::string& task_id) = 0;
  virtual Status UpdateProgress(const std::string& id, int64_t bytes, int64_t bytes_per_second) = 0;
  // Ends an ACTIVE transfer; an ended one stays as it is.
  virtual Status FinishTransfer(const std::string& id, const std::string& status,
                                const std::string& reason) = 0;
  virtual Result<TransferRecord> GetTransfer(const std::string& id) = 0;
  virtual Result<int> CountActive(const std::string& owner) = 0;  // owner empty: everyone's
  // Every ACTIVE transfer whose task no longer runs (ended, or never set and the transfer made
  // before created_before) ends FAILED with the reason: after a restart, or when a dead node's
  // tasks were ended. A transfer whose task runs on a live node is left alone.
  virtual Result<int> FailTransfersWithoutTask(const std::string& reason,
                                               TimePoint created_before) = 0;
};

}  // namespace sfapid
