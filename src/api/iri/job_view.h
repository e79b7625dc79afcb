// A scheduler's job row (squeue's or sacct's, in Slurm's words on both schedulers) as an IRI Job
// (spec §3): the state in the spec's names, the time of that state, the exit code, the native
// state and reason as meta_data, and — with include_spec — the JobSpec as the scheduler holds it
// now (name, folder, partition, account, reservation, time limit, nodes: what an update changes)
// over the spec it was submitted with.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "backends/scheduler/scheduler.h"

namespace sfapid::iri {

// "queued", "held", "active", "completed", "failed", "canceled" for a native state and reason.
std::string IriJobState(const std::string& native_state, const std::string& reason);

// sacct: the row is an accounting row (field names differ from squeue's). submitted: the spec
// the job was submitted with through the IRI API, if it was; the row's live values (after an
// update) win over it.
boost::json::object JobFromRow(const JobRow& row, bool sacct, bool include_spec,
                               const boost::json::object* submitted = nullptr);

}  // namespace sfapid::iri
