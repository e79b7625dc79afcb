// A job that ended, as a scheduler reports it for charging (ComputeStore::RecordUsage): the
// stores' and services' tests charge accounts with these.
#pragma once

#include <cstdint>
#include <string>

#include "domain/finished_job.h"

namespace sfapid::testing {

// `nodes` nodes for `seconds` seconds on perlmutter, completed: nodes * seconds node-seconds.
inline FinishedJob FinishedJobOf(const std::string& jobid, const std::string& user,
                                 const std::string& account, int64_t seconds, int nodes) {
  FinishedJob j;
  j.system = "perlmutter";
  j.jobid = jobid;
  j.user = user;
  j.account = account;
  j.state = "COMPLETED";
  j.exit_code = "0:0";
  j.start_time = 1000;
  j.end_time = 1000 + seconds;
  j.nodes = nodes;
  return j;
}

}  // namespace sfapid::testing
