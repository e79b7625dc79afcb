#include "backends/scheduler/local/job_environment.h"

#include <pwd.h>
#include <unistd.h>

#include "util/split.h"

namespace sfapid::local {

namespace {

std::string Hostname() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// What --export says of the base: everything sbatch would pass (ALL, the default), or only what
// the user's login gives (NONE, or a list of names without ALL), and its NAME=value items.
struct Export {
  bool all = true;
  std::vector<std::string> assignments;  // "NAME=value"
};

Export ReadExport(const std::string& text) {
  Export e;
  if (text.empty()) return e;
  const std::vector<std::string> items = SplitList(text);
  e.all = !items.empty() && items.front() == "ALL";
  // Bare names would come from sbatch's own environment, which on the sfapid host holds nothing
  // of the user's: only assignments are honoured.
  for (const auto& item : items)
    if (const size_t eq = item.find('='); eq != std::string::npos && eq > 0)
      e.assignments.push_back(item);
  return e;
}

}  // namespace

boost::json::array JobEnvironment(const LocalJob& job, const JobPlacement& where) {
  boost::json::array env;
  // One entry per name, the last value set winning (so --export=PATH=... replaces the base's).
  auto set = [&env](const std::string& k, const std::string& v) {
    std::string entry = k;
    entry += '=';
    for (auto& e : env)
      if (std::string_view(e.as_string()).starts_with(entry)) {
        e = entry + v;
        return;
      }
    env.emplace_back(entry + v);
  };
  const std::string id = std::to_string(job.id);
  passwd entry{}, *pw = nullptr;
  char pwbuf[4096];
  ::getpwuid_r(job.uid, &entry, pwbuf, sizeof pwbuf, &pw);
  // The user's login base either way (with NONE, Slurm loads the user's login environment, as
  // --get-user-env would); ALL adds what sbatch's environment would bring along.
  const Export exported = ReadExport(job.export_env);
  set("HOME", pw && pw->pw_dir ? pw->pw_dir : "/");
  set("SHELL", pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/bash");
  set("USER", job.account_unix);
  set("LOGNAME", job.account_unix);
  set("PATH", "/usr/local/bin:/usr/bin:/bin");
  if (exported.all) set("LANG", "C.UTF-8");
  for (const auto& a : exported.assignments) {
    const size_t eq = a.find('=');
    set(a.substr(0, eq), a.substr(eq + 1));
  }
  set("ENVIRONMENT", "BATCH");
  // sbatch passes its --export on, so that srun in the script starts its tasks the same way.
  if (!job.export_env.empty()) set("SLURM_EXPORT_ENV", job.export_env);
  set("SLURM_JOB_ID", id);
  set("SLURM_JOBID", id);
  set("SLURM_JOB_NAME", job.name);
  set("SLURM_SUBMIT_DIR", job.submit_dir);
  set("SLURM_SUBMIT_HOST", Hostname());
  set("SLURM_JOB_USER", job.account_unix);
  set("SLURM_JOB_UID", std::to_string(job.uid));
  set("SLURM_JOB_GID", std::to_string(job.gid));
  set("SLURM_JOB_ACCOUNT", job.account);
  set("SLURM_JOB_PARTITION", job.partition);
  set("SLURM_JOB_QOS", job.qos);
  set("SLURM_CLUSTER_NAME", where.cluster);
  set("SLURM_JOB_NUM_NODES", std::to_string(job.nodes));
  set("SLURM_NNODES", std::to_string(job.nodes));
  set("SLURM_NTASKS", std::to_string(job.ntasks));
  set("SLURM_NPROCS", std::to_string(job.ntasks));
  set("SLURM_CPUS_PER_TASK", std::to_string(job.cpus_per_task));
  set("SLURM_CPUS_ON_NODE", std::to_string(job.CpusPerNode()));
  set("SLURM_JOB_CPUS_PER_NODE", std::to_string(job.CpusPerNode()));
  set("SLURM_TASKS_PER_NODE", std::to_string((job.ntasks + job.nodes - 1) / job.nodes));
  if (job.ntasks_per_node > 0) set("SLURM_NTASKS_PER_NODE", std::to_string(job.ntasks_per_node));
  if (job.mem_mb > 0) set("SLURM_MEM_PER_NODE", std::to_string(job.mem_mb));
  set("SLURM_JOB_START_TIME", std::to_string(where.start_time));
  if (job.time_limit >= 0)
    set("SLURM_JOB_END_TIME", std::to_string(where.start_time + job.time_limit));
  set("SLURMD_NODENAME", where.node);
  set("SLURM_NODEID", "0");
  set("SLURM_PROCID", "0");
  set("SLURM_LOCALID", "0");
  set("SLURM_GTIDS", "0");
  if (!job.constraint.empty()) set("SLURM_JOB_CONSTRAINTS", job.constraint);
  if (job.array_job_id != 0) {
    set("SLURM_ARRAY_JOB_ID", std::to_string(job.array_job_id));
    set("SLURM_ARRAY_TASK_ID", std::to_string(job.array_task_id));
    set("SLURM_ARRAY_TASK_COUNT", std::to_string(job.array_size));
    set("SLURM_ARRAY_TASK_MIN", std::to_string(job.array_min));
    set("SLURM_ARRAY_TASK_MAX", std::to_string(job.array_max));
    set("SLURM_ARRAY_TASK_STEP", std::to_string(job.array_step));
  }
  set("SLURM_JOB_NODELIST", where.node_list);
  set("SLURM_NODELIST", where.node_list);
  return env;
}

}  // namespace sfapid::local
