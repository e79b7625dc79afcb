#include "api/iri/job_view.h"

#include <boost/json/array.hpp>
#include <vector>

#include "backends/scheduler/slurm_time.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

bool Set(const std::string& v) {
  return !v.empty() && v != "(null)" && v != "None" && v != "N/A" && v != "Unknown";
}

// sacct's ExitCode "code:signal": a signal's death reads as a shell does, 128 + signal.
std::optional<int64_t> ExitCode(const std::string& text) {
  const size_t colon = text.find(':');
  if (text.empty() || colon == std::string::npos) return std::nullopt;
  try {
    const int64_t code = std::stoll(text.substr(0, colon));
    const int64_t signal = std::stoll(text.substr(colon + 1));
    return code == 0 && signal > 0 ? 128 + signal : code;
  } catch (...) {
    return std::nullopt;
  }
}

json::value OrNull(const std::string& v) { return Set(v) ? json::value(v) : json::value(nullptr); }

}  // namespace

std::string IriJobState(const std::string& native_state, const std::string& reason) {
  // sacct writes "CANCELLED by 1000".
  const std::string state = native_state.substr(0, native_state.find(' '));
  if (state == "PENDING")
    return reason == "JobHeldUser" || reason == "JobHeldAdmin" ? "held" : "queued";
  if (state == "REQUEUE_HOLD" || state == "SPECIAL_EXIT") return "held";
  if (state == "CONFIGURING" || state == "REQUEUED" || state == "REQUEUE_FED" ||
      state == "RESV_DEL_HOLD")
    return "queued";
  if (state == "RUNNING" || state == "COMPLETING" || state == "SUSPENDED" || state == "STOPPED" ||
      state == "SIGNALING" || state == "STAGE_OUT" || state == "RESIZING")
    return "active";
  if (state == "COMPLETED") return "completed";
  if (state == "CANCELLED") return "canceled";
  return "failed";  // FAILED, NODE_FAIL, TIMEOUT, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, PREEMPTED
}

json::object JobFromRow(const JobRow& row, bool sacct, bool include_spec,
                        const json::object* submitted) {
  const std::string native = RowField(row, "state");
  const std::string reason = RowField(row, "reason");
  const std::string state = IriJobState(native, reason);
  // When the job came into its state: its end, its start, or when it was submitted.
  int64_t time = 0;
  static const std::vector<std::string> kSacctTimes = {"end", "start", "submit"};
  static const std::vector<std::string> kQueueTimes = {"start_time", "submit_time"};
  for (const std::string& field : sacct ? kSacctTimes : kQueueTimes) {
    if (field == "start_time" && state != "active") continue;
    if (const std::string v = RowField(row, field); Set(v))
      if ((time = slurm::ParseTimestamp(v)) > 0) break;
  }
  json::object status{{"state", state}};
  if (time > 0) status["time"] = time;
  if (Set(reason)) status["message"] = reason;
  if (sacct)
    if (auto code = ExitCode(RowField(row, "exitcode"));
        code && state != "queued" && state != "held" && state != "active")
      status["exit_code"] = *code;
  status["meta_data"] = json::object{{"native_state", native},
                                     {"reason", OrNull(reason)},
                                     {"account", OrNull(RowField(row, "account"))},
                                     {"partition", OrNull(RowField(row, "partition"))}};
  json::object job{{"id", RowField(row, "jobid")}, {"status", std::move(status)}};
  if (include_spec) {
    json::object spec = submitted ? *submitted : json::object{};
    auto live = [](json::object& o, const char* key, json::value v) {
      if (!v.is_null() || !o.contains(key)) o[key] = std::move(v);
    };
    json::value& attributes_value = spec["attributes"];
    if (!attributes_value.is_object()) attributes_value = json::object{};
    json::object& attributes = attributes_value.as_object();
    live(attributes, "queue_name", OrNull(RowField(row, "partition")));
    live(attributes, "account", OrNull(RowField(row, "account")));
    live(attributes, "reservation_id", OrNull(RowField(row, "reservation")));
    if (auto limit = slurm::ParseDuration(RowField(row, sacct ? "timelimit" : "time_limit"));
        limit && *limit > 0)
      attributes["duration"] = *limit;
    live(spec, "name", OrNull(RowField(row, sacct ? "jobname" : "name")));
    live(spec, "directory", OrNull(RowField(row, sacct ? "workdir" : "work_dir")));
    const std::string nodes = RowField(row, sacct ? "nnodes" : "nodes");
    if (nodes.find_first_not_of("0123456789") == std::string::npos && !nodes.empty() &&
        nodes.size() < 10 && std::stoll(nodes) > 0) {
      json::value& resources = spec["resources"];
      if (!resources.is_object()) resources = json::object{};
      resources.as_object()["node_count"] = std::stoll(nodes);
    }
    job["job_spec"] = std::move(spec);
  }
  return job;
}

}  // namespace sfapid::iri
