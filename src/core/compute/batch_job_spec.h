// A job as the IRI facility API v2 describes it (its JobSpec, spec §3 "Compute job model"): what
// to run, where, with which environment and resources, and how the scheduler should treat it. The
// API layer parses the wire JSON into this; core/compute turns it into a batch script
// (batch_script.h) or into the changes of a pending job (job_changes.h). Absent optional fields
// are std::nullopt; defaults are the spec's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sfapid {

struct BatchJobSpec {
  // A host folder seen inside the container.
  struct VolumeMount {
    std::string source;  // on the host
    std::string target;  // in the container
    bool read_only = true;
  };
  struct Container {
    std::string image;
    std::vector<VolumeMount> volume_mounts;
  };
  struct Resources {
    std::optional<int64_t> node_count;
    std::optional<int64_t> process_count;
    std::optional<int64_t> processes_per_node;
    std::optional<int64_t> cpu_cores_per_process;
    std::optional<int64_t> gpu_cores_per_process;
    bool exclusive_node_use = true;
    std::optional<int64_t> memory;  // bytes (per node: batch_script.h)
  };
  struct Attributes {
    std::optional<int64_t> duration;  // seconds
    std::optional<std::string> queue_name;
    std::optional<std::string> account;
    std::optional<std::string> reservation_id;
    // Scheduler-specific options ({"constraint": "gpu"}); which ones pass is batch_script.h's.
    std::map<std::string, std::string> custom_attributes;
  };

  // The program; with a container, the command run in it (else the image's own entrypoint).
  std::optional<std::string> executable;
  std::optional<Container> container;
  std::vector<std::string> arguments;
  std::optional<std::string> directory;  // the working folder
  std::optional<std::string> name;
  bool inherit_environment = true;  // the submitter's environment (false: a clean one)
  std::map<std::string, std::string> environment;
  std::optional<std::string> stdin_path, stdout_path, stderr_path;
  std::optional<Resources> resources;
  std::optional<std::string> pre_launch;   // shell lines run before the launch
  std::optional<std::string> post_launch;  // shell lines run after it
  std::optional<std::string> launcher;     // "srun", "mpirun", ...
  Attributes attributes;
};

}  // namespace sfapid
