#include "backends/scheduler/job_fields.h"

#include <array>
#include <cctype>
#include <string>

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

struct StateCode {
  std::string_view state, code;
};
constexpr std::array<StateCode, 24> kStates = {
    {{"BOOT_FAIL", "BF"},     {"CANCELLED", "CA"},    {"COMPLETED", "CD"},
     {"CONFIGURING", "CF"},   {"COMPLETING", "CG"},   {"DEADLINE", "DL"},
     {"FAILED", "F"},         {"NODE_FAIL", "NF"},    {"OUT_OF_MEMORY", "OOM"},
     {"PENDING", "PD"},       {"PREEMPTED", "PR"},    {"RUNNING", "R"},
     {"RESV_DEL_HOLD", "RD"}, {"REQUEUE_FED", "RF"},  {"REQUEUE_HOLD", "RH"},
     {"REQUEUED", "RQ"},      {"RESIZING", "RS"},     {"REVOKED", "RV"},
     {"SIGNALING", "SI"},     {"SPECIAL_EXIT", "SE"}, {"STAGE_OUT", "SO"},
     {"STOPPED", "ST"},       {"SUSPENDED", "S"},     {"TIMEOUT", "TO"}}};

constexpr auto MakeStateNames() {
  std::array<std::string_view, std::size(kStates)> names{};
  for (size_t i = 0; i < names.size(); ++i) names[i] = kStates[i].state;
  return names;
}
constexpr auto kStateNames = MakeStateNames();

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::span<const std::string_view> SqueueFields() { return kSqueue; }
std::span<const std::string_view> SacctFields() { return kSacct; }
std::span<const std::string_view> JobStates() { return kStateNames; }

std::string_view ShortState(std::string_view state) {
  for (const auto& s : kStates)
    if (s.state == state) return s.code;
  return "";
}

std::string_view NormalizeState(std::string_view name) {
  const std::string upper = Upper(name);
  for (const auto& s : kStates)
    if (s.state == upper || s.code == upper) return s.state;
  return "";
}

bool IsTerminalState(std::string_view state) {
  return !state.empty() && state != "PENDING" && state != "RUNNING" && state != "CONFIGURING" &&
         state != "COMPLETING" && state != "SUSPENDED" && state != "REQUEUED" &&
         state != "RESIZING" && state != "SIGNALING" && state != "STAGE_OUT" &&
         state != "STOPPED" && state != "REQUEUE_HOLD" && state != "REQUEUE_FED" &&
         state != "RESV_DEL_HOLD";
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
