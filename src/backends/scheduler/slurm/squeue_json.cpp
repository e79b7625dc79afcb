#include "backends/scheduler/slurm/squeue_json.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

#include "backends/scheduler/array_indices.h"
#include "backends/scheduler/job_fields.h"
#include "backends/scheduler/slurm_time.h"
#include "domain/job_state.h"

namespace sfapid::slurm {

namespace json = boost::json;

namespace {

// Slurm's "no value" and "infinite" markers in 32-bit fields.
constexpr int64_t kNoVal = 0xfffffffe;
constexpr int64_t kInfinite = 0xffffffff;

const json::value* Field(const json::object& j, std::string_view key) {
  const json::value* v = j.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

int64_t Int(const json::object& j, std::string_view key, int64_t fallback = 0) {
  const json::value* v = Field(j, key);
  if (!v) return fallback;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  return fallback;
}

// Any scalar as text; `fallback` for null, missing or empty.
std::string Text(const json::object& j, std::string_view key, std::string_view fallback = "") {
  const json::value* v = Field(j, key);
  if (!v) return std::string(fallback);
  if (v->is_string())
    return v->as_string().empty() ? std::string(fallback) : std::string(v->as_string());
  if (v->is_bool()) return v->as_bool() ? "1" : "0";
  if (v->is_int64() || v->is_uint64() || v->is_double()) {
    const int64_t n = Int(j, key);
    if (n >= kNoVal && n <= kInfinite) return std::string(fallback);
    return std::to_string(n);
  }
  return std::string(fallback);
}

std::string Timestamp(const json::object& j, std::string_view key) {
  return FormatTimestamp(Int(j, key), "N/A");
}

std::string Priority(const json::object& j) {
  // squeue's %p: the priority normalised to [0, 1].
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.8f", static_cast<double>(Int(j, "priority")) / 4294967295.0);
  return buf;
}

}  // namespace

JobRow SqueueRowFromJson(const json::object& j, int64_t now) {
  const std::string state = Text(j, "job_state", "PENDING");
  const bool pending = ParseJobState(state) == JobState::kPending;
  const int64_t id = Int(j, "job_id"), array_id = Int(j, "array_job_id");
  const json::value* task = Field(j, "array_task_id");
  std::string jobid = std::to_string(id), task_text = "N/A";
  if (array_id != 0) {
    if (task) {
      task_text = std::to_string(Int(j, "array_task_id"));
    } else {
      task_text = Text(j, "array_task_string");
      task_text.insert(task_text.begin(), '[');
      task_text.push_back(']');
    }
    jobid = std::to_string(array_id);
    jobid.push_back('_');
    jobid.append(task_text);
  }
  const int64_t limit_minutes = Int(j, "time_limit", kInfinite);
  const int64_t limit = limit_minutes >= kNoVal ? kUnlimited : limit_minutes * 60;
  const int64_t start = Int(j, "start_time"), end = Int(j, "end_time");
  int64_t elapsed = 0;
  if (!pending && start > 0)
    elapsed = std::max<int64_t>(0, (IsTerminalState(state) && end > 0 ? end : now) - start);
  const std::string reason = Text(j, "state_reason", "None");
  const std::string nodes = Text(j, "nodes");
  std::string memory = "0";
  if (const int64_t m = Int(j, "memory_per_node"); m > 0 && m < kNoVal)
    memory = std::to_string(m) + "M";
  else if (const int64_t c = Int(j, "memory_per_cpu"); c > 0 && c < kNoVal)
    memory = std::to_string(c) + "M";

  JobRow row;
  row.reserve(SqueueFields().size());
  row["account"] = Text(j, "account");
  row["tres_per_node"] = Text(j, "tres_per_node", "N/A");
  row["min_cpus"] = Text(j, "minimum_cpus_per_node", "0");
  row["min_tmp_disk"] = Text(j, "minimum_tmp_disk_per_node", "0");
  row["end_time"] = Timestamp(j, "end_time");
  row["features"] = Text(j, "features", "(null)");
  row["group"] = Text(j, "group_name", Text(j, "group_id"));
  row["over_subscribe"] = Text(j, "shared", "OK");
  row["jobid"] = jobid;
  row["name"] = Text(j, "name");
  row["comment"] = Text(j, "comment", "(null)");
  row["time_limit"] = FormatDuration(limit);
  row["min_memory"] = memory;
  row["req_nodes"] = Text(j, "required_nodes");
  row["command"] = Text(j, "command");
  row["priority"] = Priority(j);
  row["qos"] = Text(j, "qos");
  row["reason"] = reason;
  row[""] = "";
  row["st"] = std::string(ShortState(state));
  row["user"] = Text(j, "user_name", Text(j, "user_id"));
  row["reservation"] = Text(j, "resv_name", "(null)");
  row["wckey"] = Text(j, "wckey", "(null)");
  row["exc_nodes"] = Text(j, "excluded_nodes");
  row["nice"] = Text(j, "nice", "0");
  row["s:c:t"] = "*:*:*";
  row["exec_host"] = Text(j, "batch_host", "n/a");
  row["cpus"] = Text(j, "cpus", "1");
  row["nodes"] = Text(j, "node_count", "1");
  row["dependency"] = Text(j, "dependency", "(null)");
  row["array_job_id"] = std::to_string(array_id != 0 ? array_id : id);
  row["sockets_per_node"] = Text(j, "sockets_per_node", "*");
  row["cores_per_socket"] = Text(j, "cores_per_socket", "*");
  row["threads_per_core"] = Text(j, "threads_per_core", "*");
  row["array_task_id"] = task_text;
  row["time_left"] =
      limit < 0 ? "UNLIMITED" : FormatDuration(std::max<int64_t>(0, limit - elapsed));
  row["time"] = FormatDuration(elapsed);
  row["nodelist"] = nodes;
  row["contiguous"] = Text(j, "contiguous", "0");
  row["partition"] = Text(j, "partition");
  row["nodelist(reason)"] = pending ? "(" + reason + ")" : nodes;
  row["start_time"] = Timestamp(j, "start_time");
  row["state"] = state;
  row["uid"] = Text(j, "user_id");
  row["submit_time"] = Timestamp(j, "submit_time");
  row["licenses"] = Text(j, "licenses", "(null)");
  row["core_spec"] = Text(j, "core_spec", "N/A");
  row["schednodes"] = "(null)";
  row["work_dir"] = Text(j, "current_working_directory");
  return row;
}

Result<std::vector<SqueueJob>> ParseSqueueJson(std::string_view text, int64_t now) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("jobs") ||
      !doc.as_object().at("jobs").is_array())
    return Status::InvalidArgument("squeue --json gave something that is not its job list");
  // squeue --json answers 0 with an empty job list when slurmctld is down: the reason is in
  // "errors", and an empty queue must not be reported as the truth.
  if (const json::value* errors = doc.as_object().if_contains("errors");
      errors && errors->is_array() && !errors->as_array().empty()) {
    std::string why;
    for (const auto& e : errors->as_array()) {
      std::string one;
      for (const char* key : {"description", "error"}) {
        const json::value* text = e.is_object() ? e.as_object().if_contains(key) : nullptr;
        if (text && text->is_string() && !text->as_string().empty())
          one += (one.empty() ? "" : ": ") + std::string(text->as_string());
      }
      why += (why.empty() ? "" : "; ") + (one.empty() ? json::serialize(e) : one);
    }
    return Status::Unavailable("squeue: " + why);
  }
  std::vector<SqueueJob> jobs;
  for (const auto& v : doc.as_object().at("jobs").as_array()) {
    if (!v.is_object()) continue;
    const json::object& j = v.as_object();
    SqueueJob job;
    job.row = SqueueRowFromJson(j, now);
    job.raw_id = Int(j, "job_id");
    job.array_job_id = Int(j, "array_job_id");
    job.user = Text(j, "user_name");
    const int64_t status = Int(j, "exit_code");
    job.queue_only.jobidraw = std::to_string(job.raw_id);
    job.queue_only.exit_code = (status & 0x7f) != 0 ? "0:" + std::to_string(status & 0x7f)
                                                    : std::to_string((status >> 8) & 0xff) + ":0";
    // The tasks of an array that have not started yet share one record ("6_[0-2]"): listed one
    // task per row, as `squeue -r` does and as the local scheduler lists them.
    auto pending = job.array_job_id != 0 && !Field(j, "array_task_id")
                       ? ParseArrayIndices(Text(j, "array_task_string"), kMaxSlurmArrayIndex)
                       : Result<ArrayIndices>(Status::NotFound(""));
    if (!pending) {
      jobs.push_back(std::move(job));
      continue;
    }
    const std::string master = std::to_string(job.array_job_id);
    for (int64_t index : pending->indices) {
      SqueueJob task = job;
      std::string id = master;
      id.push_back('_');
      id.append(std::to_string(index));
      task.row["jobid"] = id;
      task.row["array_task_id"] = std::to_string(index);
      jobs.push_back(std::move(task));
    }
  }
  return jobs;
}

}  // namespace sfapid::slurm
