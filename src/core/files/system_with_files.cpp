#include "core/files/system_with_files.h"

namespace sfapid {

Result<const SystemConfig*> SystemWithFiles(const std::vector<SystemConfig>& systems,
                                            const std::string& name) {
  const SystemConfig* system = FindSystem(systems, name);
  if (!system) {
    std::string known;
    for (const auto& s : systems)
      if (s.HasFiles()) known += (known.empty() ? "" : ", ") + s.name;
    return Status::NotFound("Unknown machine '" + name +
                            "'. Machines with files and commands: " + known);
  }
  if (!system->HasFiles())
    return Status::InvalidArgument(
        "'" + name + "' is a " + ToString(system->system_type) +
        " resource; files and commands are on compute and filesystem systems");
  return system;
}

}  // namespace sfapid
