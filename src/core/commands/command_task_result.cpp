#include "core/commands/command_task_result.h"

#include <boost/json.hpp>

namespace sfapid {

namespace json = boost::json;

json::object CommandTaskResult(bool ok, const std::string& output, const std::string& error,
                               std::optional<int> exit_code) {
  return {{"status", ok ? "ok" : "error"},
          {"output", output},
          {"error", error},
          {"exit_code", exit_code ? json::value(*exit_code) : json::value(nullptr)}};
}

}  // namespace sfapid
