// Which sfapid node runs a system whose scheduler lives on one host: the local scheduler starts
// jobs on its own machine and keeps their table in its own spool, so with several nodes on one
// store exactly one of them runs it and the others refuse that system's jobs, naming the owner.
// The first node to start with the system claims it, and keeps it across its restarts (it is
// recorded by node name); an operator moves it (`sfapid store owner`).
//
// Declared here because the store implements it and the scheduler backends use it.
#pragma once

#include <string>

#include "util/status.h"

namespace sfapid {

class SchedulerOwners {
 public:
  virtual ~SchedulerOwners() = default;
  // Makes node the system's owner unless one is recorded; returns the owner either way.
  virtual Result<std::string> ClaimOwner(const std::string& system, const std::string& node) = 0;
  // Records node as the owner, whoever it was.
  virtual Status SetOwner(const std::string& system, const std::string& node) = 0;
};

}  // namespace sfapid
