// What the local scheduler tells a job's supervisor (job.json in the job's spool folder): who
// runs the job, where its output goes, the script and its arguments, environment and limits.
// Written by the scheduler, read by `sfapid job-supervisor`; read strictly, so a damaged file is
// a clear error in the supervisor's log rather than an exception.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid::local {

struct LaunchSpec {
  std::string account;  // the Unix account the job runs as
  int64_t uid = 0, gid = 0;
  std::string work_dir;
  std::string stdout_path, stderr_path;  // patterns already expanded
  std::string stdin_path;                // the same; "" = /dev/null
  bool append = false;                   // --open-mode=append
  std::string script;                    // the copy taken at submission
  std::string command;                   // argv[0]: the script's path, as sbatch shows it
  std::vector<std::string> args, env;
  int64_t time_limit = 0;  // seconds; slurm::kUnlimited
  int64_t kill_wait = 0;   // seconds between SIGTERM and SIGKILL
  std::string jobid, node;
};

boost::json::object ToJson(const LaunchSpec& spec);
// InvalidArgument naming the first missing or mistyped field.
Result<LaunchSpec> LaunchSpecFromJson(const boost::json::object& o);

}  // namespace sfapid::local
