#include "backends/scheduler/slurm/queue_to_sacct.h"

#include "backends/scheduler/job_fields.h"
#include "backends/scheduler/slurm_time.h"
#include "domain/job_state.h"

namespace sfapid::slurm {

namespace {

// squeue's "(null)" and "N/A" are sacct's empty field or `unset`.
std::string Value(const JobRow& row, std::string_view key, std::string_view unset = "") {
  std::string v = RowField(row, key);
  return v == "(null)" || v == "N/A" || v.empty() ? std::string(unset) : v;
}

// squeue's "1024M" is sacct's "1G".
std::string Memory(std::string mem) {
  if (mem.size() < 2 || mem.back() != 'M') return mem;
  const std::string digits = mem.substr(0, mem.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 15) return mem;
  const int64_t mb = std::stoll(digits);
  return mb > 0 && mb % 1024 == 0 ? std::to_string(mb / 1024) + "G" : mem;
}

}  // namespace

JobRow SacctRowFromQueue(const JobRow& q, const std::string& cluster, const QueueOnly& more) {
  const std::string state = RowField(q, "state");
  const bool ended = IsTerminalState(state);
  const bool started = ParseJobState(state) != JobState::kPending;
  const int64_t elapsed = ParseDuration(RowField(q, "time")).value_or(0);
  const std::optional<int64_t> limit = ParseDuration(RowField(q, "time_limit"));
  const bool unlimited = !limit || *limit == kUnlimited;
  const std::string jobid = RowField(q, "jobid"), cpus = Value(q, "cpus", "1"),
                    nodes = Value(q, "nodes", "1");
  JobRow row;
  row.reserve(SacctFields().size());
  for (std::string_view f : SacctFields()) row[f] = "";
  row["account"] = RowField(q, "account");
  row["alloccpus"] = cpus;
  row["allocnodes"] = started ? nodes : "0";
  row["cluster"] = cluster;
  row["comment"] = Value(q, "comment");
  row["constraints"] = Value(q, "features");
  row["derivedexitcode"] = "0:0";
  row["elapsed"] = FormatElapsed(elapsed);
  row["elapsedraw"] = std::to_string(elapsed);
  row["end"] = ended ? Value(q, "end_time", "Unknown") : "Unknown";
  row["exitcode"] = ended && !more.exit_code.empty() ? more.exit_code : "0:0";
  row["group"] = RowField(q, "group");
  row["jobid"] = jobid;
  // A pending array task has no id of its own yet: sacct shows the array's.
  row["jobidraw"] =
      started && !more.jobidraw.empty() ? more.jobidraw : jobid.substr(0, jobid.find('_'));
  row["jobname"] = RowField(q, "name");
  row["ncpus"] = cpus;
  row["nnodes"] = nodes;
  row["nodelist"] = started ? Value(q, "nodelist", "None assigned") : "None assigned";
  row["partition"] = RowField(q, "partition");
  row["qos"] = RowField(q, "qos");
  // What the job waited for when it was recorded: a begin time or a dependency, not the
  // scheduler's later Resources / Priority.
  const std::string reason = Value(q, "reason", "None");
  row["reason"] = started || reason == "Resources" || reason == "Priority" ? "None" : reason;
  for (const char* f : {"reqcpufreq", "reqcpufreqmin", "reqcpufreqmax", "reqcpufreqgov"})
    row[f] = "Unknown";
  row["reqcpus"] = cpus;
  row["reqmem"] = Memory(Value(q, "min_memory", "0"));
  row["reqnodes"] = nodes;
  // What keeps a job inside a reservation from being charged on top of the reservation's block.
  row["reservation"] = Value(q, "reservation");
  row["start"] = Value(q, "start_time", "Unknown");
  row["state"] = state;
  row["submit"] = Value(q, "submit_time", "Unknown");
  for (const char* f : {"suspended", "systemcpu", "totalcpu", "usercpu"}) row[f] = "00:00:00";
  row["timelimit"] = unlimited ? "UNLIMITED" : FormatElapsed(*limit);
  row["timelimitraw"] = unlimited ? "UNLIMITED" : std::to_string(*limit / 60);
  row["uid"] = RowField(q, "uid");
  row["user"] = RowField(q, "user");
  row["workdir"] = RowField(q, "work_dir");
  return row;
}

}  // namespace sfapid::slurm
