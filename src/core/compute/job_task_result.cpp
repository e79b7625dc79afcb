#include "core/compute/job_task_result.h"

#include <boost/json.hpp>

namespace sfapid {

namespace json = boost::json;

json::object SubmitTaskResult(const Result<std::string>& jobid) {
  if (jobid) return {{"status", "ok"}, {"jobid", *jobid}, {"error", nullptr}};
  return {{"status", "error"}, {"jobid", nullptr}, {"error", jobid.status().message()}};
}

json::object CancelTaskResult(const std::string& jobid, const Status& outcome) {
  return {{"status", outcome.ok() ? "ok" : "error"},
          {"jobid", jobid},
          {"error", outcome.ok() ? json::value(nullptr) : json::value(outcome.message())}};
}

}  // namespace sfapid
