// One reader per section of the config file, each filling its own struct from the root table and
// checking what that section alone can check. ParseConfig (config.cpp) calls them in file order
// and then checks what spans sections (endpoints name systems).
#pragma once

#include <vector>

#include "config/config.h"
#include "config/table_reader.h"

namespace sfapid::config_reading {

void ReadServer(TableReader& root, ServerConfig& out);
void ReadStore(TableReader& root, StoreConfig& out);
void ReadStatus(TableReader& root, StatusConfig& out);
void ReadAuth(TableReader& root, AuthConfig& out);
void ReadWeb(TableReader& root, WebConfig& out);
void ReadUtilities(TableReader& root, UtilitiesConfig& out);
void ReadCallbacks(TableReader& root, CallbacksConfig& out);
void ReadTasks(TableReader& root, TasksConfig& out);
// [events]
void ReadEvents(TableReader& root, EventsConfig& out);
// [rate_limits]
void ReadRateLimits(TableReader& root, RateLimitsConfig& out);
// [facility] and [facility.site].
void ReadFacility(TableReader& root, FacilityConfig& out);

// A transfer endpoint and where it stands in the file: whether its system exists is known only
// once [[systems]] are read.
struct EndpointAt {
  const toml::node* node;
  TransferEndpointConfig endpoint;
};
std::vector<EndpointAt> ReadTransfers(TableReader& root, TransfersConfig& out);

void ReadRunAs(TableReader& root, RunAsConfig& out);
// [accounts], [[users]] and [[projects]].
void ReadAccounts(TableReader& root, AccountsConfig& out);
// [[systems]], in order; a name defined twice is an error.
void ReadSystems(TableReader& root, std::vector<SystemConfig>& out);
// One system's [[systems.locations]] and [[systems.access_endpoints]] (read_storage.cpp); `system`
// reads the system's table, `prefix` names it in errors ("systems[0]").
void ReadStorage(TableReader& system, const std::string& source, const std::string& prefix,
                 SystemConfig& s);

}  // namespace sfapid::config_reading
