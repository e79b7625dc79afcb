// [[systems]]: each system, its kind, file-system roots and (compute systems) scheduler.
#include "config/section_readers.h"

namespace sfapid::config_reading {

namespace {

void ReadReservationPolicy(const toml::table& t, const std::string& source, size_t index,
                           ReservationPolicy& p) {
  TableReader r(t, source, "systems[" + std::to_string(index) + "].reservations");
  p.enabled = true;  // the table's presence turns them on unless it says otherwise
  r.Read("enabled", p.enabled);
  r.Read("min_lead_hours", p.min_lead_hours);
  r.Read("max_nodes", p.max_nodes);
  r.Read("max_duration_hours", p.max_duration_hours);
  r.Read("max_active_per_project", p.max_active_per_project);
  r.Read("auto_approve_node_hours", p.auto_approve_node_hours);
  r.Read("cancellation_notice_hours", p.cancellation_notice_hours);
  r.Read("charge_factor", p.charge_factor);
  r.RejectUnknown();
  r.Require(p.max_duration_hours > 0, "max_duration_hours", "must be positive");
  r.Require(p.max_active_per_project >= 1, "max_active_per_project", "must be at least 1");
  r.Require(p.charge_factor > 0, "charge_factor", "must be positive");
}

SystemConfig ReadSystem(const toml::table& t, const std::string& source, size_t index) {
  TableReader r(t, source, "systems[" + std::to_string(index) + "]");
  SystemConfig s;
  r.Read("name", s.name);
  r.Require(ValidSystemName(s.name), "name", "must be 1-64 letters, digits, '_', '-' or '.'");
  s.full_name = s.name;
  r.Read("full_name", s.full_name);
  r.Read("description", s.description);
  std::string type = "service";
  r.Read("system_type", type);
  if (type == "compute")
    s.system_type = SystemType::kCompute;
  else if (type == "filesystem")
    s.system_type = SystemType::kFilesystem;
  else if (type == "service")
    s.system_type = SystemType::kService;
  else if (type == "storage")
    s.system_type = SystemType::kStorage;
  else
    r.Fail(r.NodeOr("system_type"), "system_type",
           "must be compute, filesystem, service or storage");

  if (const toml::table* sched = r.Table("scheduler")) {
    if (s.system_type != SystemType::kCompute)
      r.Fail(*sched, "scheduler", "only compute systems have a scheduler");
    TableReader sr(*sched, source, "systems[" + std::to_string(index) + "].scheduler");
    sr.Read("backend", s.scheduler.backend);
    sr.Read("spool_dir", s.scheduler.spool_dir);
    SchedulerConfig& sc = s.scheduler;
    sr.Read("nodes", sc.nodes);
    sr.Read("cpus_per_node", sc.cpus_per_node);
    sr.Read("memory_mb_per_node", sc.memory_mb_per_node);
    sr.ReadStrings("partitions", sc.partitions);
    sr.Read("default_time", sc.default_time);
    sr.Read("max_time", sc.max_time);
    sr.Read("default_account", sc.default_account);
    sr.Read("min_job_age_seconds", sc.min_job_age_seconds);
    sr.Read("kill_wait_seconds", sc.kill_wait_seconds);
    sr.Read("purge_jobs_after_days", sc.purge_jobs_after_days);
    sr.Read("max_submit_jobs_per_user", sc.max_submit_jobs_per_user);
    sr.Read("slurm_bin_dir", sc.slurm_bin_dir);
    sr.Read("slurm_cluster", sc.slurm_cluster);
    sr.Read("refresh_interval_seconds", sc.refresh_interval_seconds);
    sr.Read("min_refresh_interval_seconds", sc.min_refresh_interval_seconds);
    sr.Read("sacct_window_days", sc.sacct_window_days);
    sr.Read("command_timeout_seconds", sc.command_timeout_seconds);
    std::string runtime = ToString(sc.container_runtime);
    sr.Read("container_runtime", runtime);
    sr.RejectUnknown();
    sr.Require(sc.refresh_interval_seconds >= 0.1, "refresh_interval_seconds",
               "must be at least 0.1");
    sr.Require(sc.command_timeout_seconds > 0, "command_timeout_seconds", "must be positive");
    sr.Require(sc.min_refresh_interval_seconds >= 0 &&
                   sc.min_refresh_interval_seconds <= sc.refresh_interval_seconds,
               "min_refresh_interval_seconds", "must be between 0 and refresh_interval_seconds");
    sr.Require(sc.nodes >= 1, "nodes", "must be at least 1");
    sr.Require(sc.purge_jobs_after_days >= 0, "purge_jobs_after_days", "must not be negative");
    sr.Require(sc.max_submit_jobs_per_user >= 0, "max_submit_jobs_per_user",
               "must not be negative (0: no limit)");
    sr.Require(sc.slurm_cluster.empty() || ValidSystemName(sc.slurm_cluster), "slurm_cluster",
               "must be 1-64 letters, digits, '_', '-' or '.'");
    sr.Require(!sc.partitions.empty(), "partitions", "must list at least one partition");
    for (const auto& p : sc.partitions)
      sr.Require(ValidSystemName(p), "partitions",
                 "'" + p + "' must be 1-64 letters, digits, '_', '-' or '.'");
    sr.Require(!sc.default_account.empty(), "default_account", "must not be empty");
    if (s.scheduler.backend != "local" && s.scheduler.backend != "slurm")
      sr.Fail(sr.NodeOr("backend"), "backend", "must be \"local\" or \"slurm\"");
    if (runtime == "none")
      sc.container_runtime = ContainerRuntime::kNone;
    else if (runtime == "apptainer")
      sc.container_runtime = ContainerRuntime::kApptainer;
    else if (runtime == "pyxis")
      sc.container_runtime = ContainerRuntime::kPyxis;
    else
      sr.Fail(sr.NodeOr("container_runtime"), "container_runtime",
              "must be \"none\", \"apptainer\" or \"pyxis\"");
    // pyxis is a plugin of Slurm's srun: the local scheduler has no srun to carry it.
    sr.Require(sc.container_runtime != ContainerRuntime::kPyxis || sc.backend == "slurm",
               "container_runtime", "\"pyxis\" needs backend = \"slurm\" (it is a plugin of srun)");
  } else if (s.system_type == SystemType::kCompute) {
    s.scheduler.backend = "local";
  }
  if (const toml::table* resv = r.Table("reservations")) {
    if (s.system_type != SystemType::kCompute)
      r.Fail(*resv, "reservations", "only compute systems take reservations");
    ReadReservationPolicy(*resv, source, index, s.reservations);
  }
  r.ReadStrings("roots", s.roots);
  for (const auto& root : s.roots)
    if (root.empty() || root.front() != '/')
      r.Fail(r.NodeOr("roots"), "roots", "'" + root + "' must be an absolute path");
  r.Require(!s.roots.empty(), "roots", "must list at least one folder");
  ReadStorage(r, source, "systems[" + std::to_string(index) + "]", s);
  if (s.system_type == SystemType::kCompute && s.scheduler.spool_dir.empty())
    s.scheduler.spool_dir = "spool/" + s.name;
  r.RejectUnknown();
  return s;
}

}  // namespace

void ReadSystems(TableReader& root, std::vector<SystemConfig>& out) {
  if (const toml::array* systems = root.TableArray("systems")) {
    size_t i = 0;
    for (const auto& node : *systems) {
      SystemConfig s = ReadSystem(*node.as_table(), root.source(), i);
      if (FindSystem(out, s.name))
        root.Fail(node, "systems", "system '" + s.name + "' is defined twice");
      out.push_back(std::move(s));
      ++i;
    }
  }
}

}  // namespace sfapid::config_reading
