// The job supervisor: `sfapid job-supervisor DIR`, one per running job, started by the local
// scheduler in its own session. It runs the batch script as the user (their uid, gid and groups,
// outputs opened as them), enforces the time limit, stops the job when asked (SIGTERM), kills
// whatever the job left in its process group, and writes result.json atomically. It stays root
// only to do those things; the job never is.
#pragma once

#include <string>

namespace sfapid::local {

// The supervisor's main; returns its exit code.
int RunJobSupervisor(const std::string& job_dir);

}  // namespace sfapid::local
