// [transfers]: transfer limits, how files are copied, and the endpoints clients name.
#include "config/section_readers.h"

namespace sfapid::config_reading {

std::vector<EndpointAt> ReadTransfers(TableReader& root, TransfersConfig& out) {
  std::vector<EndpointAt> endpoints;
  if (const toml::table* t = root.Table("transfers")) {
    TableReader s(*t, root.source(), "transfers");
    s.Read("max_active_per_user", out.max_active_per_user);
    s.Read("max_active", out.max_active);
    s.Read("rsync", out.rsync);
    s.ReadStrings("rsync_options", out.rsync_options);
    s.Read("same_host_copy", out.same_host_copy);
    if (const toml::array* list = s.TableArray("endpoints")) {
      size_t i = 0;
      for (const auto& node : *list) {
        TableReader e(*node.as_table(), root.source(),
                      "transfers.endpoints[" + std::to_string(i++) + "]");
        TransferEndpointConfig ep;
        e.Read("id", ep.id);
        e.Read("system", ep.system);
        e.RejectUnknown();
        if (ep.id.empty()) e.Fail(node, "id", "must not be empty");
        endpoints.push_back({&node, ep});
        out.endpoints.push_back(ep);
      }
    }
    s.RejectUnknown();
    if (out.max_active_per_user < 1 || out.max_active < 1)
      s.Fail(*t, "max_active", "transfer limits must be at least 1");
  }
  return endpoints;
}

}  // namespace sfapid::config_reading
