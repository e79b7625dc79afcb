// The result a transfer task stores when it ends, in SFAPI v1.2's words: {"status": "ok" | "error"
// | "cancelled", then "transfer_id", "error" and "bytes" when known}. Built in core, here only,
// because the task store persists it as the text GET /tasks returns (see
// core/compute/job_task_result.h); the transfer's own record is what GET /storage/... renders.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace sfapid {

struct TransferTaskEnd {
  std::string status;  // "ok", "error" or "cancelled"
  std::optional<std::string> transfer_id;
  std::optional<std::string> error;
  std::optional<int64_t> bytes;
};

boost::json::object TransferTaskResult(const TransferTaskEnd& end);

}  // namespace sfapid
