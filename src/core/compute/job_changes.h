// What of an IRI JobSpec changes a pending job (IRI updateJob: "Update takes a full JobSpec;
// which fields may change is facility-defined"). Here: name, attributes.duration,
// attributes.queue_name, attributes.account and resources.node_count, the fields Slurm's
// `scontrol update` changes of a pending job. The spec's other fields are not compared with the
// job's (no scheduler keeps the spec a job came from) and change nothing.
#pragma once

#include "backends/scheduler/scheduler.h"
#include "core/compute/batch_job_spec.h"
#include "util/status.h"

namespace sfapid {

// The changes; InvalidField naming the field ("attributes.duration") when its value could not be
// a job's. Whether the account may be charged is the caller's to check.
Result<JobChanges> JobChangesFrom(const BatchJobSpec& spec);

}  // namespace sfapid
