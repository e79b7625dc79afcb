// The embedded local scheduler: runs batch jobs on this machine with Slurm's semantics, keeping
// its state in a spool folder under the data directory.
#pragma once

#include <string>

#include "backends/scheduler/scheduler.h"

namespace sfapid {

class LocalScheduler : public Scheduler {
 public:
  explicit LocalScheduler(std::string spool_dir) : spool_dir_(std::move(spool_dir)) {}

  std::string backend_name() const override { return "local"; }
  // Healthy when the spool folder exists (it is created when missing) and takes a new file.
  Status Health() override;

  const std::string& spool_dir() const { return spool_dir_; }

 private:
  std::string spool_dir_;
};

}  // namespace sfapid
