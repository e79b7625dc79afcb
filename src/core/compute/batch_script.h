// An IRI JobSpec (batch_job_spec.h) as the batch script both schedulers run, the embedded local one
// and Slurm (spec §3, "Slurm mapping (our design)"):
//
//   #!/bin/bash
//   #SBATCH --job-name=...            name
//   #SBATCH --chdir=...               directory
//   #SBATCH --input/--output/--error  stdin_path, stdout_path, stderr_path
//   #SBATCH --export=ALL | NONE       inherit_environment (always written)
//   #SBATCH --nodes --ntasks --ntasks-per-node --cpus-per-task --gpus-per-task
//                                     resources' counts (each only when given)
//   #SBATCH --exclusive               see below
//   #SBATCH --mem=<MiB>M              resources.memory in bytes, rounded up to MiB, per node
//   #SBATCH --time=D-HH:MM:SS         attributes.duration (seconds; Slurm rounds up to minutes)
//   #SBATCH --partition --account --reservation
//                                     attributes.queue_name, account, reservation_id
//   #SBATCH --<key>=<value>           attributes.custom_attributes, allowed keys only (below)
//   export SLURM_EXPORT_ENV=ALL
//   export K='V'                      environment, in key order
//   <pre_launch>
//   <the launch line>                 batch_launch.h
//   sfapid_exit=$?                    } only with a post_launch: it runs whatever the
//   <post_launch>                     } application's end, and the job still ends with the
//   exit "$sfapid_exit"               } application's exit code (IRI's completed/failed are its)
//
// Choices (IRI leaves them to the facility):
// - --exclusive only when `resources` is given and its exclusive_node_use is true (its default).
//   A JobSpec that asks for no resources at all gets a small share of one node, not a whole node
//   by a default the user never wrote: on a shared small cluster exclusive nodes for every job
//   would be costly.
// - memory is per node (Slurm's --mem), as the spec's mapping table reads it.
// - custom_attributes: only constraint, qos, gres, licenses, comment, begin, dependency,
//   mail-type, mail-user and nice pass, a "slurm." prefix stripped ("slurm.qos" is qos); any other
//   key is refused (InvalidField "attributes.custom_attributes.<key>"), so that no attribute can
//   name another account, partition or user than the checked ones, nor pass an option sfapid has
//   not looked at (--uid, --wrap, ...).
// - `export SLURM_EXPORT_ENV=ALL` is always the script's first command: with --export=NONE srun
//   would otherwise start its tasks without the environment lines below (with ALL it changes
//   nothing), and a first command ends the directives sbatch reads, so nothing a user wrote in
//   pre_launch can be taken for one.
// - A value on an #SBATCH line is one line of printable characters (a newline there would start a
//   directive of its own), bare or in quotes as both sbatch and the local scheduler read them; it
//   may not hold a backslash (sbatch reads it as an escape, the local scheduler would not) nor
//   both kinds of quote. Every other text (environment values, arguments, pre/post_launch) may be
//   anything but a NUL or a carriage return (script_text.h); values are single-quoted words.
// Refusals are InvalidField naming the JobSpec field as a dotted path ("resources.memory",
// "environment.MY VAR", "arguments.2").
#pragma once

#include <string>

#include "config/config.h"
#include "core/compute/batch_job_spec.h"
#include "util/status.h"

namespace sfapid {

// The script for a system whose jobs run containers with `runtime` (its [systems.scheduler]
// container_runtime).
Result<std::string> RenderBatchScript(const BatchJobSpec& spec, ContainerRuntime runtime);

}  // namespace sfapid
