// The event of a job's state (events table, kind "job"): named after the job, or the array it is
// a task of, on its system ("perlmutter/123"), so that one filter or long-poll follows a whole
// array; the data say which task and what state. Made here, for the two places that append them:
// state changes (core/compute) and ends (the compute store, in the transaction that records one).
#pragma once

#include <string>

#include "store/event_store.h"

namespace sfapid {

// exit_code: Slurm's "code:signal" once the job ended, else "".
EventRecord JobEvent(const std::string& system, const std::string& jobid, const std::string& user,
                     const std::string& state, const std::string& exit_code);

}  // namespace sfapid
