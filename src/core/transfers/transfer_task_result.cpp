#include "core/transfers/transfer_task_result.h"

#include <boost/json.hpp>

namespace sfapid {

boost::json::object TransferTaskResult(const TransferTaskEnd& end) {
  boost::json::object out{{"status", end.status}};
  if (end.transfer_id) out["transfer_id"] = *end.transfer_id;
  if (end.error) out["error"] = *end.error;
  if (end.bytes) out["bytes"] = *end.bytes;
  return out;
}

}  // namespace sfapid
