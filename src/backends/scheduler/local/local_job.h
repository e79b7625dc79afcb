// One job of the local scheduler, as it is kept in memory and in the spool database: what was
// asked (the parsed directives, resolved against the cluster's defaults) and what happened.
// An array job is one LocalJob per task, all sharing array_job_id.
#pragma once

#include <sys/types.h>

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "backends/scheduler/local/sbatch_options.h"
#include "domain/job_state.h"

namespace sfapid::local {

struct LocalJob {
  int64_t id = 0;            // the raw job id (sacct's jobidraw)
  int64_t array_job_id = 0;  // 0: not part of an array
  int64_t array_task_id = -1;
  int array_max_running = 0;  // "%N" of the array
  int64_t array_size = 0, array_min = 0, array_max = 0, array_step = 1;

  // Who and what.
  std::string user;          // the API user
  std::string account_unix;  // the Unix account the job runs as
  uid_t uid = 0;
  gid_t gid = 0;
  std::string group;  // the name of gid, looked up once at submission
  std::string name;
  std::string account, partition, qos, constraint, comment;
  std::string script_path;  // the file submitted (squeue's "command")
  std::vector<std::string> args;
  std::string submit_dir, work_dir;
  std::string stdout_pattern, stderr_pattern;  // as given (%j ... expanded when it starts)
  std::string stdin_pattern;                   // --input, the same way; "" = /dev/null
  bool append_output = false;
  int nodes = 1, ntasks = 1, cpus_per_task = 1;
  int ntasks_per_node = 0;  // --ntasks-per-node; 0 = not asked
  bool exclusive = false;   // --exclusive: recorded, shown by squeue
  std::string export_env;   // --export as written; "" = not given (ALL)
  int64_t mem_mb = 0;       // per node; 0 = not asked
  int64_t time_limit = 0;   // seconds; slurm::kUnlimited
  std::vector<Dependency> dependencies;
  std::string dependency_text;
  int64_t begin_time = 0;
  bool held = false;
  std::string reservation;  // --reservation: runs only inside it ("" = none)
  std::vector<std::string> ignored;

  // What happened.
  JobState state = JobState::kPending;
  std::string reason = "None";
  int64_t submit_time = 0, eligible_time = 0, start_time = 0, end_time = 0;
  int exit_code = 0, exit_signal = 0;
  int64_t cancelled_by = -1;  // uid; sacct shows "CANCELLED by <uid>"
  std::vector<int> node_ids;  // allocated nodes while running
  pid_t supervisor = 0;       // the job's supervisor process while it runs
  bool releasing = false;     // ended (cancelled) but its processes may still be stopping
  bool reported = false;      // the job-ended handler has seen it

  // "123" or "123_4": what squeue and sacct show and what users filter on.
  std::string DisplayId() const;
  int64_t CpusPerNode() const;
  bool Ended() const;
};

// Every job the local scheduler knows, by raw id: an array's tasks have contiguous ids, the first
// being the array's own id, so they follow each other in this order.
using JobMap = std::map<int64_t, LocalJob>;

boost::json::object ToJson(const LocalJob& job);
LocalJob FromJson(const boost::json::object& o);

}  // namespace sfapid::local
