// A job that has ended, as every scheduler backend reports it once: what callbacks announce and
// what usage charges are made from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sfapid {

struct FinishedJob {
  std::string system;       // the compute system's name, e.g. "perlmutter"
  std::string jobid;        // as the queue shows it: "123", or "123_4" for an array task
  std::string user;         // the API user who submitted it
  std::string account;      // the project charged
  std::string state;        // COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, ...
  std::string exit_code;    // Slurm's "code:signal", e.g. "0:0", "3:0", "0:15"
  int64_t submit_time = 0;  // Unix seconds
  int64_t start_time = 0;   // 0: never started (cancelled while pending)
  int64_t end_time = 0;
  int nodes = 1;
  // The whole of an array, reported once after its last task (each task is reported too): what a
  // callback registered under the array's id announces. Charges nothing (the tasks did).
  bool array_summary = false;
  // The reservation it ran in ("" = none). Such a job charges nothing: the reservation's whole
  // block is charged to the project, as facilities do.
  std::string reservation;
  // Node-hours charged to the account: elapsed (start to end) x nodes.
  double NodeHours() const {
    return reservation.empty() && start_time > 0 && end_time > start_time
               ? static_cast<double>(end_time - start_time) * nodes / 3600.0
               : 0.0;
  }
};

// The summary of an array whose tasks (in task order, all ended) are `tasks`: under the array's
// own id, in the state (and with the exit code) of the first task that did not complete, from the
// earliest start to the last end. Every scheduler backend reports it after the last task.
FinishedJob SummariseArray(const std::string& array_id, const std::vector<FinishedJob>& tasks);

}  // namespace sfapid
