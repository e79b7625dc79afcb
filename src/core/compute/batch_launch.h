// The line of an IRI job's batch script that starts its application (batch_script.h): the
// launcher, the container runtime of the system, the executable and its arguments, each word
// quoted for the shell.
//
//   no container:  [launcher] exe args...
//   apptainer:     [launcher] apptainer exec [--nv] [--bind src:dst[:ro]]... IMAGE exe args...
//                  (`apptainer run IMAGE args...` without an executable: the image's runscript;
//                  --nv when the job asks for GPUs)
//   pyxis:         srun [--nodes=1 --ntasks=1] --container-image=IMAGE
//                       [--container-mounts=src:dst[:ro],...] exe args...
//                  (pyxis is a plugin of srun: the launcher may only be srun, and without one the
//                  application runs once, as it would without a container; pyxis runs a command in
//                  the image, so an executable is required)
//
// The launcher is one of srun, mpirun and mpiexec (the launchers a Slurm site has): it is a word
// of the script, not a command line of the user's. Mount paths are absolute and have no ':' or
// ',' (both runtimes split their mount lists there).
#pragma once

#include <string>

#include "config/config.h"
#include "core/compute/batch_job_spec.h"
#include "util/status.h"

namespace sfapid {

// The line, without its newline. InvalidField naming the JobSpec field that cannot be run here
// ("executable", "launcher", "container", "container.volume_mounts.0.source", ...).
Result<std::string> RenderLaunchLine(const BatchJobSpec& spec, ContainerRuntime runtime);

}  // namespace sfapid
