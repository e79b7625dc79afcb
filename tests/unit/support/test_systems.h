// The systems most core-service tests run against: one of each kind that matters to them.
#pragma once

#include <vector>

#include "config/config.h"

namespace sfapid::testing {

inline std::vector<SystemConfig> TestSystems() {
  std::vector<SystemConfig> systems(3);
  systems[0].name = "perlmutter";
  systems[0].system_type = SystemType::kCompute;
  systems[0].roots = {"/global/homes", "/pscratch"};
  systems[1].name = "dtns";
  systems[1].system_type = SystemType::kFilesystem;
  systems[1].roots = {"/global/cfs"};
  systems[2].name = "spin";
  systems[2].system_type = SystemType::kService;
  return systems;
}

}  // namespace sfapid::testing
