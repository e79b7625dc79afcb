#include "backends/scheduler/local/job_environment.h"

#include <pwd.h>
#include <unistd.h>

namespace sfapid::local {

namespace {

std::string Hostname() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

}  // namespace

boost::json::array JobEnvironment(const LocalJob& job, const JobPlacement& where) {
  boost::json::array env;
  auto set = [&env](const std::string& k, const std::string& v) { env.emplace_back(k + "=" + v); };
  const std::string id = std::to_string(job.id);
  passwd entry{}, *pw = nullptr;
  char pwbuf[4096];
  ::getpwuid_r(job.uid, &entry, pwbuf, sizeof pwbuf, &pw);
  set("HOME", pw && pw->pw_dir ? pw->pw_dir : "/");
  set("SHELL", pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/bash");
  set("USER", job.account_unix);
  set("LOGNAME", job.account_unix);
  set("PATH", "/usr/local/bin:/usr/bin:/bin");
  set("LANG", "C.UTF-8");
  set("ENVIRONMENT", "BATCH");
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
