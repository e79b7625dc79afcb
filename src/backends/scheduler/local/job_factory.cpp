#include "backends/scheduler/local/job_factory.h"

#include <grp.h>

#include <algorithm>

#include "backends/scheduler/local/job_ids.h"
#include "backends/scheduler/slurm_time.h"

namespace sfapid::local {

namespace {

std::string GroupName(gid_t gid) {
  group g{}, *found = nullptr;
  char buf[4096];
  if (::getgrgid_r(gid, &g, buf, sizeof buf, &found) == 0 && found) return g.gr_name;
  return std::to_string(gid);
}

std::string Basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

constexpr const char* kNoNodeConfig = "Requested node configuration is not available";
constexpr const char* kBadTimeLimit =
    "Requested time limit is invalid (missing or exceeds some limit)";

// Tasks and nodes as sbatch settles them: --ntasks-per-node alone makes nodes x that many tasks;
// with --ntasks it is the most per node, and more nodes are taken unless --nodes fixed them (then
// the tasks share the nodes given, and a job that cannot fit is refused for its CPUs, as Slurm
// does).
Status SettleTasks(const SbatchOptions& o, LocalJob& job) {
  job.nodes = o.nodes;
  job.ntasks_per_node = o.ntasks_per_node;
  int64_t ntasks = std::max(o.ntasks, o.nodes);
  if (o.ntasks_per_node > 0 && !o.ntasks_set) ntasks = int64_t{o.nodes} * o.ntasks_per_node;
  if (ntasks > 1'000'000) return SbatchError("invalid number of tasks: " + std::to_string(ntasks));
  if (o.ntasks_per_node > 0 && !o.nodes_set) {
    const int64_t needed = (ntasks + o.ntasks_per_node - 1) / o.ntasks_per_node;
    job.nodes = static_cast<int>(std::max<int64_t>(job.nodes, needed));  // needed <= ntasks
  }
  job.ntasks = static_cast<int>(ntasks);
  return Status::Ok();
}

}  // namespace

Status SbatchError(const std::string& text) {
  return Status::InvalidArgument("sbatch: error: " + text);
}

JobFactory::JobFactory(const SchedulerConfig& config, const NodePool& nodes)
    : config_(config), nodes_(nodes) {
  if (auto d = slurm::ParseDuration(config.default_time)) default_time_ = *d;
  if (auto m = slurm::ParseDuration(config.max_time)) max_time_ = *m;
}

Result<std::vector<LocalJob>> JobFactory::Make(const JobScript& script, int64_t now) const {
  auto parsed = ParseSbatchScript(script.text, now);
  if (!parsed) return parsed.status();
  SbatchOptions& o = *parsed;

  LocalJob job;
  job.user = script.who.api_user;
  job.account_unix = script.who.account;
  job.uid = script.who.uid;
  job.gid = script.who.gid;
  job.group = GroupName(script.who.gid);
  job.name = o.name.value_or(Basename(script.path));
  job.partition = o.partition.value_or(config_.partitions.front());
  job.account = !script.charge_account.empty() ? script.charge_account
                                               : o.account.value_or(config_.default_account);
  job.qos = o.qos.value_or("normal");
  job.constraint = o.constraint.value_or("");
  job.comment = o.comment.value_or("");
  job.script_path = script.path;
  job.args = script.args;
  job.submit_dir = script.submit_dir;
  job.work_dir = script.submit_dir;
  if (o.chdir)
    job.work_dir = o.chdir->starts_with('/') ? *o.chdir : script.submit_dir + "/" + *o.chdir;
  if (Status s = SettleTasks(o, job); !s.ok()) return s;
  job.cpus_per_task = o.cpus_per_task;
  job.mem_mb = o.mem_whole_node ? nodes_.memory_mb_per_node() : o.mem_mb;
  job.time_limit = o.time_limit.value_or(default_time_);
  // Jobs that could never run are refused, in Slurm's words for each case.
  if (const std::string why = Unfit(job); !why.empty()) {
    if (why == kNoNodeConfig)
      return SbatchError(
          "Memory specification can not be satisfied\nsbatch: error: Batch job "
          "submission failed: " +
          why);
    return SbatchError("Batch job submission failed: " + why);
  }
  job.exclusive = o.exclusive;
  job.export_env = o.export_env.value_or("");
  job.stdin_pattern = o.input.value_or("");
  job.append_output = o.append_output;
  job.dependencies = o.dependencies;
  job.dependency_text = o.dependency_text;
  job.begin_time = o.begin.value_or(0);
  job.reservation = o.reservation.value_or("");
  job.held = o.hold;
  job.ignored = o.ignored;
  job.submit_time = now;
  job.stdout_pattern = o.output.value_or(o.array ? "slurm-%A_%a.out" : "slurm-%j.out");
  job.stderr_pattern = o.error.value_or(job.stdout_pattern);
  // As slurmctld at submission: a held job, and one waiting for its begin time, say so at once
  // (the scheduler's Submit adds the reasons that depend on other jobs and reservations; a
  // query right after the submission must not read "None" for a job that cannot start).
  job.reason = job.held ? "JobHeldUser" : job.begin_time > now ? "BeginTime" : "None";

  std::vector<LocalJob> jobs;
  if (!o.array) {
    jobs.push_back(std::move(job));
    return jobs;
  }
  const auto& idx = o.array->indices;
  job.array_max_running = o.array->max_running;
  job.array_size = static_cast<int64_t>(idx.size());
  job.array_min = idx.front();
  job.array_max = idx.back();
  job.array_step = idx.size() > 1 ? idx[1] - idx[0] : 1;
  for (int64_t i : idx) {
    LocalJob task = job;
    task.array_task_id = i;
    jobs.push_back(std::move(task));
  }
  return jobs;
}

std::string JobFactory::Unfit(const LocalJob& job) const {
  if (!Contains(config_.partitions, job.partition)) return "Invalid partition name specified";
  if ((max_time_ >= 0 && (job.time_limit < 0 || job.time_limit > max_time_)) || job.time_limit == 0)
    return kBadTimeLimit;
  if (static_cast<size_t>(job.nodes) > nodes_.size()) return "Node count specification invalid";
  if (job.CpusPerNode() > nodes_.cpus_per_node()) return "More processors requested than permitted";
  if (job.mem_mb > nodes_.memory_mb_per_node()) return kNoNodeConfig;
  return "";
}

Status JobFactory::Change(LocalJob& job, const JobChanges& changes) const {
  LocalJob changed = job;
  if (changes.name) changed.name = *changes.name;
  if (changes.time_limit) changed.time_limit = *changes.time_limit;
  if (changes.partition) changed.partition = *changes.partition;
  if (changes.account) changed.account = *changes.account;
  if (changes.nodes) {
    changed.nodes = *changes.nodes;
    changed.ntasks = std::max(changed.ntasks, changed.nodes);  // a task per node at least
  }
  // In scontrol's words: "<why> for job <id>"; a time limit past the partition's is a user's
  // limit there (only an operator may raise it), not a bad value.
  if (const std::string why = Unfit(changed); !why.empty()) {
    const std::string for_job = " for job " + job.DisplayId();
    if (why == kBadTimeLimit) return Status::PermissionDenied("Access/permission denied" + for_job);
    return Status::InvalidArgument(why + for_job);
  }
  job = std::move(changed);
  return Status::Ok();
}

void DropUnknownDependencies(std::vector<LocalJob>& jobs, const JobMap& known_jobs) {
  std::vector<Dependency> known;
  for (const auto& dep : jobs.front().dependencies)
    if (!ResolveJobId(known_jobs, dep.jobid).empty()) known.push_back(dep);
  if (known.size() == jobs.front().dependencies.size()) return;
  std::string text;
  for (const auto& dep : known) {
    if (!text.empty()) text.push_back(',');
    text.append(dep.type);
    text.push_back(':');
    text.append(dep.jobid);
  }
  for (LocalJob& job : jobs) {
    job.dependencies = known;
    job.dependency_text = text;
  }
}

}  // namespace sfapid::local
