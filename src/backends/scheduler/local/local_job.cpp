#include "backends/scheduler/local/local_job.h"

#include <boost/json.hpp>

#include "backends/scheduler/local/record_fields.h"

namespace sfapid::local {

namespace json = boost::json;

std::string LocalJob::DisplayId() const {
  if (array_job_id == 0) return std::to_string(id);
  return std::to_string(array_job_id) + "_" + std::to_string(array_task_id);
}

int64_t LocalJob::CpusPerNode() const {
  const int64_t tasks_per_node = (int64_t{ntasks} + nodes - 1) / nodes;
  return tasks_per_node * cpus_per_task;  // each factor is at most 100000: no overflow
}

bool LocalJob::Ended() const { return IsTerminal(state); }

using record::Array;
using record::Bool;
using record::Int;
using record::Str;
using record::Strings;

json::object ToJson(const LocalJob& j) {
  json::array deps, nodes;
  for (const auto& d : j.dependencies)
    deps.push_back(json::object{{"type", d.type}, {"jobid", d.jobid}});
  for (int n : j.node_ids) nodes.emplace_back(n);
  return {{"id", j.id},
          {"array_job_id", j.array_job_id},
          {"array_task_id", j.array_task_id},
          {"array_max_running", j.array_max_running},
          {"array_size", j.array_size},
          {"array_min", j.array_min},
          {"array_max", j.array_max},
          {"array_step", j.array_step},
          {"user", j.user},
          {"account_unix", j.account_unix},
          {"uid", static_cast<int64_t>(j.uid)},
          {"gid", static_cast<int64_t>(j.gid)},
          {"group", j.group},
          {"name", j.name},
          {"account", j.account},
          {"partition", j.partition},
          {"qos", j.qos},
          {"constraint", j.constraint},
          {"comment", j.comment},
          {"script_path", j.script_path},
          {"args", record::ToArray(j.args)},
          {"submit_dir", j.submit_dir},
          {"work_dir", j.work_dir},
          {"stdout_pattern", j.stdout_pattern},
          {"stderr_pattern", j.stderr_pattern},
          {"stdin_pattern", j.stdin_pattern},
          {"append_output", j.append_output},
          {"nodes", j.nodes},
          {"ntasks", j.ntasks},
          {"cpus_per_task", j.cpus_per_task},
          {"ntasks_per_node", j.ntasks_per_node},
          {"exclusive", j.exclusive},
          {"export_env", j.export_env},
          {"mem_mb", j.mem_mb},
          {"time_limit", j.time_limit},
          {"dependencies", std::move(deps)},
          {"dependency_text", j.dependency_text},
          {"begin_time", j.begin_time},
          {"reservation", j.reservation},
          {"held", j.held},
          {"ignored", record::ToArray(j.ignored)},
          {"state", JobStateName(j.state)},
          {"reason", j.reason},
          {"submit_time", j.submit_time},
          {"eligible_time", j.eligible_time},
          {"start_time", j.start_time},
          {"end_time", j.end_time},
          {"exit_code", j.exit_code},
          {"exit_signal", j.exit_signal},
          {"cancelled_by", j.cancelled_by},
          {"node_ids", std::move(nodes)},
          {"supervisor", static_cast<int64_t>(j.supervisor)},
          {"releasing", j.releasing},
          {"reported", j.reported}};
}

LocalJob FromJson(const json::object& o) {
  LocalJob j;
  j.id = Int(o, "id");
  j.array_job_id = Int(o, "array_job_id");
  j.array_task_id = Int(o, "array_task_id", -1);
  j.array_max_running = static_cast<int>(Int(o, "array_max_running"));
  j.array_size = Int(o, "array_size");
  j.array_min = Int(o, "array_min");
  j.array_max = Int(o, "array_max");
  j.array_step = Int(o, "array_step", 1);
  j.user = Str(o, "user");
  j.account_unix = Str(o, "account_unix");
  j.uid = static_cast<uid_t>(Int(o, "uid"));
  j.gid = static_cast<gid_t>(Int(o, "gid"));
  j.group = Str(o, "group");
  j.name = Str(o, "name");
  j.account = Str(o, "account");
  j.partition = Str(o, "partition");
  j.qos = Str(o, "qos");
  j.constraint = Str(o, "constraint");
  j.comment = Str(o, "comment");
  j.script_path = Str(o, "script_path");
  j.args = Strings(o, "args");
  j.submit_dir = Str(o, "submit_dir");
  j.work_dir = Str(o, "work_dir");
  j.stdout_pattern = Str(o, "stdout_pattern");
  j.stderr_pattern = Str(o, "stderr_pattern");
  j.stdin_pattern = Str(o, "stdin_pattern");
  j.append_output = Bool(o, "append_output");
  j.nodes = static_cast<int>(Int(o, "nodes", 1));
  j.ntasks = static_cast<int>(Int(o, "ntasks", 1));
  j.cpus_per_task = static_cast<int>(Int(o, "cpus_per_task", 1));
  j.ntasks_per_node = static_cast<int>(Int(o, "ntasks_per_node"));
  j.exclusive = Bool(o, "exclusive");
  j.export_env = Str(o, "export_env");
  j.mem_mb = Int(o, "mem_mb");
  j.time_limit = Int(o, "time_limit");
  for (const auto& d : Array(o, "dependencies"))
    if (d.is_object())
      j.dependencies.push_back({Str(d.as_object(), "type"), Str(d.as_object(), "jobid")});
  j.dependency_text = Str(o, "dependency_text");
  j.begin_time = Int(o, "begin_time");
  j.reservation = Str(o, "reservation");
  j.held = Bool(o, "held");
  j.ignored = Strings(o, "ignored");
  // Only JobStateName wrote it; a record no release wrote counts as failed rather than live.
  j.state = ParseJobState(Str(o, "state")).value_or(JobState::kFailed);
  j.reason = Str(o, "reason");
  j.submit_time = Int(o, "submit_time");
  j.eligible_time = Int(o, "eligible_time");
  j.start_time = Int(o, "start_time");
  j.end_time = Int(o, "end_time");
  j.exit_code = static_cast<int>(Int(o, "exit_code"));
  j.exit_signal = static_cast<int>(Int(o, "exit_signal"));
  j.cancelled_by = Int(o, "cancelled_by", -1);
  for (const auto& n : Array(o, "node_ids"))
    if (n.is_int64()) j.node_ids.push_back(static_cast<int>(n.as_int64()));
  j.supervisor = static_cast<pid_t>(Int(o, "supervisor"));
  j.releasing = Bool(o, "releasing");
  j.reported = Bool(o, "reported");
  return j;
}

}  // namespace sfapid::local
