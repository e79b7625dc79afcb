// Tasks the IRI API makes itself (the asynchronous filesystem operations): their kind, and their
// result stored in the IRI's own shape (spec §5) — {"command": {router, command, args}} as soon
// as the work starts, then {"command", "output"}, the output "Error: <why>" on failure.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "core/tasks/task_engine.h"

namespace sfapid::iri {

// "iri/filesystem/ls", ...
std::string IriTaskKind(const std::string& router, const std::string& command);
bool IsIriTask(const std::string& kind);

struct IriCommand {
  std::string router;   // "filesystem"
  std::string command;  // "ls"
  boost::json::object args;
};

// The outcome of an IRI task: completed with `output`, or failed with "Error: <why>".
TaskOutcome IriSuccess(const IriCommand& c, boost::json::value output);
TaskOutcome IriFailure(const IriCommand& c, const std::string& why);
// What the task shows while it runs.
boost::json::object IriRunning(const IriCommand& c);

}  // namespace sfapid::iri
