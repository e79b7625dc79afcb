#include "backends/scheduler/local/job_rows.h"

#include <algorithm>

#include "backends/scheduler/job_fields.h"
#include "backends/scheduler/slurm_time.h"

namespace sfapid::local {

namespace {

std::string Or(const std::string& value, const char* fallback) {
  return value.empty() ? fallback : value;
}

int64_t Elapsed(const LocalJob& j, int64_t now) {
  if (j.start_time <= 0) return 0;
  const int64_t end = j.end_time > 0 ? j.end_time : now;
  return std::max<int64_t>(0, end - j.start_time);
}

std::string Tres(const LocalJob& j) {
  const int64_t cpus = j.CpusPerNode() * j.nodes;
  std::string tres = "billing=" + std::to_string(cpus) + ",cpu=" + std::to_string(cpus);
  if (j.mem_mb > 0) tres += ",mem=" + std::to_string(j.mem_mb * j.nodes) + "M";
  return tres + ",node=" + std::to_string(j.nodes);
}

std::string Memory(const LocalJob& j) {
  return j.mem_mb > 0 ? std::to_string(j.mem_mb) + "M" : "0";
}

std::string Priority(const LocalJob& j) {
  // Older jobs first, as Slurm's age factor would have it: a normalised value below 1.
  const double p = 1.0 - static_cast<double>(j.id % 100000000) / 1e8;
  std::string s = std::to_string(p);
  return s.substr(0, 10);
}

}  // namespace

std::string NodeList(const LocalJob& job, const ClusterView& view) {
  if (job.node_ids.empty()) return "";
  std::vector<std::string> names;
  for (int id : job.node_ids)
    if (id >= 0 && static_cast<size_t>(id) < view.node_names.size())
      names.push_back(view.node_names[static_cast<size_t>(id)]);
  if (names.size() == 1) return names.front();
  // Names are "<prefix><digits>": Slurm's compressed form lists the digits.
  std::string out = "nid[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(names[i], 3);
  }
  return out + "]";
}

std::string SacctState(const LocalJob& job) {
  if (job.state == JobState::kCancelled && job.cancelled_by >= 0)
    return "CANCELLED by " + std::to_string(job.cancelled_by);
  return std::string(JobStateName(job.state));
}

std::string ExitCode(const LocalJob& job) {
  return std::to_string(job.exit_code) + ":" + std::to_string(job.exit_signal);
}

JobRow SqueueRow(const LocalJob& j, const ClusterView& v) {
  const bool pending = j.state == JobState::kPending;
  const bool running = j.state == JobState::kRunning;
  const int64_t elapsed = Elapsed(j, v.now);
  const std::string nodes = NodeList(j, v);
  std::string end = "N/A";
  if (j.end_time > 0)
    end = slurm::FormatTimestamp(j.end_time);
  else if (running && j.time_limit >= 0)
    end = slurm::FormatTimestamp(j.start_time + j.time_limit);
  std::string time_left = "UNLIMITED";
  if (j.time_limit >= 0)
    time_left = slurm::FormatDuration(std::max<int64_t>(0, j.time_limit - elapsed));
  const std::string reason = pending ? j.reason : "None";
  JobRow row;
  row.reserve(slurm::SqueueFields().size());
  row["account"] = j.account;
  row["tres_per_node"] = "N/A";
  row["min_cpus"] = std::to_string(j.CpusPerNode());
  row["min_tmp_disk"] = "0";
  row["end_time"] = end;
  row["features"] = Or(j.constraint, "(null)");
  row["group"] = j.group;
  row["over_subscribe"] = j.exclusive ? "NO" : "OK";
  row["jobid"] = j.DisplayId();
  row["name"] = j.name;
  row["comment"] = Or(j.comment, "(null)");
  row["time_limit"] = slurm::FormatDuration(j.time_limit);
  row["min_memory"] = Memory(j);
  row["req_nodes"] = "";
  row["command"] = j.script_path;
  row["priority"] = Priority(j);
  row["qos"] = j.qos;
  row["reason"] = reason;
  row[""] = "";
  row["st"] = std::string(JobStateCode(j.state));
  row["user"] = j.account_unix;
  row["reservation"] = j.reservation.empty() ? "(null)" : j.reservation;
  row["wckey"] = "(null)";
  row["exc_nodes"] = "";
  row["nice"] = "0";
  row["s:c:t"] = "*:*:*";
  row["exec_host"] =
      nodes.empty() ? "n/a" : v.node_names.at(static_cast<size_t>(j.node_ids.front()));
  row["cpus"] = std::to_string(j.CpusPerNode() * j.nodes);
  row["nodes"] = std::to_string(j.nodes);
  row["dependency"] = Or(j.dependency_text, "(null)");
  row["array_job_id"] = std::to_string(j.array_job_id ? j.array_job_id : j.id);
  row["sockets_per_node"] = "*";
  row["cores_per_socket"] = "*";
  row["threads_per_core"] = "*";
  row["array_task_id"] = j.array_job_id ? std::to_string(j.array_task_id) : "N/A";
  row["time_left"] = time_left;
  row["time"] = slurm::FormatDuration(elapsed);
  row["nodelist"] = nodes;
  row["contiguous"] = "0";
  row["partition"] = j.partition;
  row["nodelist(reason)"] = pending ? "(" + reason + ")" : nodes;
  row["start_time"] = slurm::FormatTimestamp(j.start_time);
  row["state"] = std::string(JobStateName(j.state));
  row["uid"] = std::to_string(j.uid);
  row["submit_time"] = slurm::FormatTimestamp(j.submit_time);
  row["licenses"] = "(null)";
  row["core_spec"] = "N/A";
  row["schednodes"] = "(null)";
  row["work_dir"] = j.work_dir;
  return row;
}

JobRow SacctRow(const LocalJob& j, const ClusterView& v) {
  const bool started = j.start_time > 0;
  const int64_t elapsed = Elapsed(j, v.now);
  const int64_t cpus = j.CpusPerNode() * j.nodes;
  const std::string alloc_cpus = started ? std::to_string(cpus) : "0";
  const std::string nodes = NodeList(j, v);
  JobRow row;
  row.reserve(slurm::SacctFields().size());
  for (std::string_view f : slurm::SacctFields()) row[f] = "";
  row["account"] = j.account;
  row["alloccpus"] = alloc_cpus;
  row["allocnodes"] = started ? std::to_string(j.nodes) : "0";
  row["alloctres"] = started ? Tres(j) : "";
  row["associd"] = "0";
  row["cluster"] = v.cluster;
  row["comment"] = j.comment;
  row["constraints"] = j.constraint;
  row["consumedenergy"] = "0";
  row["consumedenergyraw"] = "0";
  row["cputime"] = slurm::FormatElapsed(started ? elapsed * cpus : 0);
  row["cputimeraw"] = std::to_string(started ? elapsed * cpus : 0);
  row["dbindex"] = std::to_string(j.id);
  row["derivedexitcode"] = "0:0";
  row["elapsed"] = slurm::FormatElapsed(elapsed);
  row["elapsedraw"] = std::to_string(elapsed);
  row["eligible"] = slurm::FormatTimestamp(j.eligible_time, "Unknown");
  row["end"] = slurm::FormatTimestamp(j.end_time, "Unknown");
  row["exitcode"] = ExitCode(j);
  row["gid"] = std::to_string(j.gid);
  row["group"] = j.group;
  row["jobid"] = j.DisplayId();
  row["jobidraw"] = std::to_string(j.id);
  row["jobname"] = j.name;
  row["ncpus"] = std::to_string(started ? cpus : j.CpusPerNode() * j.nodes);
  row["nnodes"] = std::to_string(j.nodes);
  row["nodelist"] = started ? nodes : "None assigned";
  row["ntasks"] = "";
  row["priority"] = std::to_string(100000000 - j.id % 100000000);
  row["partition"] = j.partition;
  row["qos"] = j.qos;
  row["reservation"] = j.reservation;
  row["qosraw"] = "1";
  row["reason"] = j.state == JobState::kPending ? j.reason : "None";
  row["reqcpufreq"] = "Unknown";
  row["reqcpufreqmin"] = "Unknown";
  row["reqcpufreqmax"] = "Unknown";
  row["reqcpufreqgov"] = "Unknown";
  row["reqcpus"] = std::to_string(cpus);
  row["reqmem"] = j.mem_mb > 0 ? std::to_string(j.mem_mb) + "M" : "0";
  row["reqnodes"] = std::to_string(j.nodes);
  row["reqtres"] = Tres(j);
  row["reserved"] =
      slurm::FormatElapsed(started ? std::max<int64_t>(0, j.start_time - j.submit_time) : 0);
  row["resvcpu"] = row["reserved"];
  row["resvcpuraw"] =
      std::to_string(started ? std::max<int64_t>(0, j.start_time - j.submit_time) * cpus : 0);
  row["start"] = slurm::FormatTimestamp(j.start_time, j.Ended() ? "None" : "Unknown");
  row["state"] = SacctState(j);
  row["submit"] = slurm::FormatTimestamp(j.submit_time, "Unknown");
  row["suspended"] = "00:00:00";
  row["systemcpu"] = "00:00:00";
  row["timelimit"] = j.time_limit < 0 ? "UNLIMITED" : slurm::FormatElapsed(j.time_limit);
  row["timelimitraw"] = j.time_limit < 0 ? "UNLIMITED" : std::to_string(j.time_limit / 60);
  row["totalcpu"] = "00:00:00";
  row["uid"] = std::to_string(j.uid);
  row["user"] = j.account_unix;
  row["usercpu"] = "00:00:00";
  row["wckeyid"] = "0";
  row["workdir"] = j.work_dir;
  return row;
}

std::string ExpandOutputPattern(const std::string& pattern, const LocalJob& job,
                                const std::string& node_name) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '%' || i + 1 >= pattern.size()) {
      out += c;
      continue;
    }
    // "%5j" style zero padding is allowed by Slurm: read and honour the width.
    size_t k = i + 1;
    int width = 0;
    while (k < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[k])))
      width = std::min(10, width * 10 + (pattern[k++] - '0'));  // Slurm pads to 10 at most
    if (k >= pattern.size()) {
      out += pattern.substr(i);
      break;
    }
    auto pad = [width](std::string v) {
      return static_cast<int>(v.size()) < width ? std::string(width - v.size(), '0') + v : v;
    };
    switch (pattern[k]) {
      case 'j':
        out += pad(std::to_string(job.id));
        break;
      case 'x':
        out += job.name;
        break;
      case 'u':
        out += job.account_unix;
        break;
      case 'A':
        out += pad(std::to_string(job.array_job_id ? job.array_job_id : job.id));
        break;
      case 'a':
        out += pad(job.array_job_id ? std::to_string(job.array_task_id) : "4294967294");
        break;
      case 'N':
        out += node_name;
        break;
      case 'n':
      case 't':
        out += pad("0");
        break;
      case 's':
        out += "batch";
        break;
      case '%':
        out += '%';
        break;
      default:
        out += pattern.substr(i, k - i + 1);
        break;
    }
    i = k;
  }
  if (out.empty() || out.front() != '/') out = job.work_dir + "/" + out;
  return out;
}

}  // namespace sfapid::local
