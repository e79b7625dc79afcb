#include "api/iri/iri_task.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

json::object CommandJson(const IriCommand& c) {
  return {{"router", c.router}, {"command", c.command}, {"args", c.args}};
}

}  // namespace

std::string IriTaskKind(const std::string& router, const std::string& command) {
  return "iri/" + router + "/" + command;
}

bool IsIriTask(const std::string& kind) { return kind.rfind("iri/", 0) == 0; }

TaskOutcome IriSuccess(const IriCommand& c, json::value output) {
  return {"completed", json::object{{"command", CommandJson(c)}, {"output", std::move(output)}}};
}

TaskOutcome IriFailure(const IriCommand& c, const std::string& why) {
  return {"failed", json::object{{"command", CommandJson(c)}, {"output", "Error: " + why}}};
}

json::object IriRunning(const IriCommand& c) { return {{"command", CommandJson(c)}}; }

}  // namespace sfapid::iri
