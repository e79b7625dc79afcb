// The results the submit_job and cancel_job tasks store, in SFAPI v1.2's shape:
// {"status": "ok" | "error", "jobid", "error"}.
//
// Why core builds wire JSON here, and only here: the task store persists a task's result as the
// document GET /tasks returns verbatim (as a string), written once when the task ends, and read
// back after a restart by a server that no longer knows how the task ran. Storing a typed outcome
// instead would need a result schema per task kind in every store; until a second API shows
// tasks, the document is made in this one place, and an API that needs another shape maps it.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "util/status.h"

namespace sfapid {

// {"status": "ok", "jobid": "<id>", "error": null} or {"status": "error", "jobid": null,
// "error": "<why>"}
boost::json::object SubmitTaskResult(const Result<std::string>& jobid);
// {"status": "ok" | "error", "jobid": "<id>", "error": null | "<why>"}
boost::json::object CancelTaskResult(const std::string& jobid, const Status& outcome);

}  // namespace sfapid
