#include "backends/scheduler/job_fields.h"

#include <array>
#include <vector>

#include "domain/job_state.h"

namespace sfapid::slurm {

namespace {

// Sizes deduced: a wrong count would add empty names.
constexpr std::string_view kSqueue[] = {"account",
                                        "tres_per_node",
                                        "min_cpus",
                                        "min_tmp_disk",
                                        "end_time",
                                        "features",
                                        "group",
                                        "over_subscribe",
                                        "jobid",
                                        "name",
                                        "comment",
                                        "time_limit",
                                        "min_memory",
                                        "req_nodes",
                                        "command",
                                        "priority",
                                        "qos",
                                        "reason",
                                        "",
                                        "st",
                                        "user",
                                        "reservation",
                                        "wckey",
                                        "exc_nodes",
                                        "nice",
                                        "s:c:t",
                                        "exec_host",
                                        "cpus",
                                        "nodes",
                                        "dependency",
                                        "array_job_id",
                                        "sockets_per_node",
                                        "cores_per_socket",
                                        "threads_per_core",
                                        "array_task_id",
                                        "time_left",
                                        "time",
                                        "nodelist",
                                        "contiguous",
                                        "partition",
                                        "nodelist(reason)",
                                        "start_time",
                                        "state",
                                        "uid",
                                        "submit_time",
                                        "licenses",
                                        "core_spec",
                                        "schednodes",
                                        "work_dir"};

constexpr std::string_view kSacct[] = {"account",
                                       "admincomment",
                                       "alloccpus",
                                       "allocnodes",
                                       "alloctres",
                                       "associd",
                                       "avecpu",
                                       "avecpufreq",
                                       "avediskread",
                                       "avediskwrite",
                                       "avepages",
                                       "averss",
                                       "avevmsize",
                                       "blockid",
                                       "cluster",
                                       "comment",
                                       "constraints",
                                       "consumedenergy",
                                       "consumedenergyraw",
                                       "cputime",
                                       "cputimeraw",
                                       "dbindex",
                                       "derivedexitcode",
                                       "elapsed",
                                       "elapsedraw",
                                       "eligible",
                                       "end",
                                       "exitcode",
                                       "flags",
                                       "gid",
                                       "group",
                                       "jobid",
                                       "jobidraw",
                                       "jobname",
                                       "layout",
                                       "maxdiskread",
                                       "maxdiskreadnode",
                                       "maxdiskreadtask",
                                       "maxdiskwrite",
                                       "maxdiskwritenode",
                                       "maxdiskwritetask",
                                       "maxpages",
                                       "maxpagesnode",
                                       "maxpagestask",
                                       "maxrss",
                                       "maxrssnode",
                                       "maxrsstask",
                                       "maxvmsize",
                                       "maxvmsizenode",
                                       "maxvmsizetask",
                                       "mcslabel",
                                       "mincpu",
                                       "mincpunode",
                                       "mincputask",
                                       "ncpus",
                                       "nnodes",
                                       "nodelist",
                                       "ntasks",
                                       "priority",
                                       "partition",
                                       "qos",
                                       "qosraw",
                                       "reason",
                                       "reqcpufreq",
                                       "reqcpufreqmin",
                                       "reqcpufreqmax",
                                       "reqcpufreqgov",
                                       "reqcpus",
                                       "reqmem",
                                       "reqnodes",
                                       "reqtres",
                                       "reservation",
                                       "reservationid",
                                       "reserved",
                                       "resvcpu",
                                       "resvcpuraw",
                                       "start",
                                       "state",
                                       "submit",
                                       "suspended",
                                       "systemcpu",
                                       "systemcomment",
                                       "timelimit",
                                       "timelimitraw",
                                       "totalcpu",
                                       "tresusageinave",
                                       "tresusageinmax",
                                       "tresusageinmaxnode",
                                       "tresusageinmaxtask",
                                       "tresusageinmin",
                                       "tresusageinminnode",
                                       "tresusageinmintask",
                                       "tresusageintot",
                                       "tresusageoutave",
                                       "tresusageoutmax",
                                       "tresusageoutmaxnode",
                                       "tresusageoutmaxtask",
                                       "tresusageoutmin",
                                       "tresusageoutminnode",
                                       "tresusageoutmintask",
                                       "tresusageouttot",
                                       "uid",
                                       "user",
                                       "usercpu",
                                       "wckey",
                                       "wckeyid",
                                       "workdir"};

}  // namespace

std::span<const std::string_view> SqueueFields() { return kSqueue; }
std::span<const std::string_view> SacctFields() { return kSacct; }
std::span<const std::string_view> JobStates() {
  // Slurm's names, in the enum's order: the SFAPI schema's JobState values.
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (JobState s : AllJobStates()) out.push_back(JobStateName(s));
    return out;
  }();
  return names;
}

std::string_view ShortState(std::string_view state) {
  const auto parsed = ParseJobState(state);
  return parsed ? JobStateCode(*parsed) : std::string_view();
}

std::string_view NormalizeState(std::string_view name) {
  const auto parsed = ParseJobStateLoosely(name);
  return parsed ? JobStateName(*parsed) : std::string_view();
}

// Text that names no state (sacct's "CANCELLED by 1001" included) counts as ended: every state in
// which a job may still run has a name.
bool IsTerminalState(std::string_view state) {
  if (state.empty()) return false;
  const auto parsed = ParseJobState(state);
  return !parsed || IsTerminal(*parsed);
}

namespace {

// A run of digits without leading zeros compares as a number by length first.
int CompareNumbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b);
}

}  // namespace

bool JobIdLess(std::string_view a, std::string_view b) {
  const size_t ua = a.find('_'), ub = b.find('_');
  if (int c = CompareNumbers(a.substr(0, ua), b.substr(0, ub)); c != 0) return c < 0;
  if (ua == std::string_view::npos || ub == std::string_view::npos)
    return ua == std::string_view::npos && ub != std::string_view::npos;
  const std::string_view ta = a.substr(ua + 1), tb = b.substr(ub + 1);
  // A pending remainder "[11-12]" after the tasks listed one by one.
  const bool la = !ta.empty() && ta[0] == '[', lb = !tb.empty() && tb[0] == '[';
  if (la != lb) return lb;
  return CompareNumbers(ta, tb) < 0;
}

}  // namespace sfapid::slurm
