// The system a file operation, command or transfer names, checked: known (NotFound) and holding
// files (InvalidArgument), with errors that list the systems that do.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace sfapid {

Result<const SystemConfig*> SystemWithFiles(const std::vector<SystemConfig>& systems,
                                            const std::string& name);

}  // namespace sfapid
