// The result a command task stores, partial while it runs and final when it ends, in SFAPI v1.2's
// shape: {"status": "ok" | "error", "output", "error" (the command's stderr), "exit_code"}.
// Built in core, here only, because the task store persists it as the text GET /tasks returns
// (see core/compute/job_task_result.h).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

namespace sfapid {

// exit_code: null while the command runs or when it never started.
boost::json::object CommandTaskResult(bool ok, const std::string& output, const std::string& error,
                                      std::optional<int> exit_code);

}  // namespace sfapid
