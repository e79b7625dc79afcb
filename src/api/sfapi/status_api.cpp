// /status: each system's status, outages and notes (spec §2.1). Public.
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>

#include "api/openapi/operation.h"
#include "api/sfapi/sfapi_api.h"
#include "http/errors.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::ArrayOf;
using openapi::Operation;
using openapi::Ref;

namespace {

json::object StatusJson(const SystemStatusView& v) {
  json::array notes;
  for (const auto& n : v.notes) notes.emplace_back(n);
  return {{"name", v.system->name},
          {"full_name", v.system->full_name},
          {"description", v.description},
          {"system_type", ToString(v.system->system_type)},
          {"notes", std::move(notes)},
          {"status", v.status},
          {"updated_at", FormatIso8601(v.updated_at)}};
}

json::object OutageJson(const OutageRecord& o) {
  return {{"name", o.name},
          {"start_at", FormatIso8601(o.start_at)},
          {"end_at", FormatIso8601(o.end_at)},
          {"description", o.description},
          {"notes", o.notes},
          {"status", o.status ? json::value(*o.status) : json::value(nullptr)},
          {"swo", o.swo},
          {"update_at", FormatIso8601(o.update_at)}};
}

json::object NoteJson(const NoteRecord& n) {
  return {{"name", n.name},
          {"notes", n.notes},
          {"active", n.active},
          {"timestamp", FormatIso8601(n.timestamp)}};
}

// Planned: starts in the future and is neither cancelled nor completed. The plain outage lists
// hold the rest: current and past outages.
bool IsPlanned(const OutageRecord& o, TimePoint now) {
  return o.start_at > now && o.status != "Cancelled" && o.status != "Completed";
}

enum class OutageKind { kCurrentAndPast, kPlanned };

json::array OutagesJson(const std::vector<OutageRecord>& list, OutageKind kind) {
  const TimePoint now = Now();
  json::array out;
  for (const auto& o : list)
    if (IsPlanned(o, now) == (kind == OutageKind::kPlanned)) out.push_back(OutageJson(o));
  return out;
}

// The /status bodies rendered once per snapshot (the service makes a new one when it refreshes),
// so the hottest public endpoint costs a lookup, not a JSON build. Measured in docs/benchmarks.md.
class RenderedStatuses {
 public:
  struct Bodies {
    std::shared_ptr<const StatusSnapshot> source;
    std::string all;
    std::map<std::string, std::string> by_name;
  };

  std::shared_ptr<const Bodies> For(std::shared_ptr<const StatusSnapshot> snap) {
    {
      std::lock_guard lock(mu_);
      if (bodies_ && bodies_->source == snap) return bodies_;
    }
    auto fresh = std::make_shared<Bodies>();
    json::array all;
    for (const auto& v : snap->systems) {
      json::object one = StatusJson(v);
      fresh->by_name[v.system->name] = json::serialize(one);
      all.push_back(std::move(one));
    }
    fresh->all = json::serialize(all);
    fresh->source = std::move(snap);
    std::lock_guard lock(mu_);
    bodies_ = fresh;
    return fresh;
  }

 private:
  std::mutex mu_;
  std::shared_ptr<const Bodies> bodies_;
};

http::Response UnknownSystem(const std::string& name, const std::vector<SystemConfig>& systems) {
  std::string known;
  for (const auto& s : systems) known += (known.empty() ? "" : ", ") + s.name;
  return http::NotFound("Unknown system '" + name + "'. Known systems: " + known);
}

void AddSchemas(json::object& schemas) {
  schemas["Status"] = json::object{
      {"type", "object"},
      {"required", json::array{"name", "status"}},
      {"properties",
       {{"name", {{"type", "string"}}},
        {"full_name", {{"type", "string"}}},
        {"description", {{"type", "string"}}},
        {"system_type", openapi::EnumSchema({"compute", "filesystem", "service", "storage"})},
        {"notes", ArrayOf(json::object{{"type", "string"}})},
        {"status", openapi::EnumSchema({"active", "unavailable", "degraded", "other"})},
        {"updated_at", {{"type", "string"}, {"format", "date-time"}}}}}};
  schemas["Outage"] = json::object{
      {"type", "object"},
      {"required", json::array{"name"}},
      {"properties",
       {{"name", {{"type", "string"}}},
        {"start_at", {{"type", "string"}, {"format", "date-time"}}},
        {"end_at", {{"type", "string"}, {"format", "date-time"}}},
        {"description", {{"type", "string"}}},
        {"notes", {{"type", "string"}}},
        {"status",
         {{"anyOf", json::array{openapi::EnumSchema(
                                    {"Active", "Cancelled", "Completed", "Extended", "Planned"}),
                                json::object{{"type", "null"}}}}}},
        {"swo", openapi::EnumSchema({"true", "degr", "fals"})},
        {"update_at", {{"type", "string"}, {"format", "date-time"}}}}}};
  schemas["Note"] = json::object{{"type", "object"},
                                 {"required", json::array{"name"}},
                                 {"properties",
                                  {{"name", {{"type", "string"}}},
                                   {"notes", {{"type", "string"}}},
                                   {"active", {{"type", "boolean"}}},
                                   {"timestamp", {{"type", "string"}, {"format", "date-time"}}}}}};
}

}  // namespace

void AddStatusRoutes(ApiContext& ctx) {
  AddSchemas(ctx.schemas);
  StatusService& service = ctx.status;
  const std::vector<SystemConfig>& systems = ctx.systems;
  const std::string p = kPrefix;
  const auto name_param = [](Operation op) {
    return op.PathParam("name", "A system or resource name, e.g. perlmutter");
  };

  auto rendered = std::make_shared<RenderedStatuses>();
  ctx.router.Add({.method = "GET",
                  .pattern = p + "/status",
                  .handler =
                      [&service, rendered](http::Request&) {
                        return http::Response::Text(200, rendered->For(service.Snapshot())->all,
                                                    "application/json");
                      },
                  .operation = Operation("Read Statuses", "status", "read_statuses_status_get")
                                   .Returns(ArrayOf(Ref("Status")))
                                   .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/status/{name}",
       .handler =
           [&service, &systems, rendered](http::Request& req) {
             const auto bodies = rendered->For(service.Snapshot());
             auto it = bodies->by_name.find(req.PathParam("name"));
             if (it == bodies->by_name.end()) return UnknownSystem(req.PathParam("name"), systems);
             return http::Response::Text(200, it->second, "application/json");
           },
       .operation = name_param(Operation("Read Status", "status", "read_status_status__name__get"))
                        .Returns(Ref("Status"))
                        .Build()});

  // The list endpoints: one inner list per system that has any entries.
  auto add_grouped = [&](const std::string& path, const std::string& summary, const std::string& id,
                         const std::string& schema, auto render) {
    ctx.router.Add({.method = "GET",
                    .pattern = p + path,
                    .handler =
                        [&service, render](http::Request&) {
                          auto snap = service.Snapshot();
                          json::array out;
                          for (const auto& v : snap->systems) {
                            json::array items = render(*snap, v.system->name);
                            if (!items.empty()) out.push_back(std::move(items));
                          }
                          return http::Response::Json(std::move(out));
                        },
                    .operation = Operation(summary, "status", id + "_get")
                                     .Returns(ArrayOf(ArrayOf(Ref(schema))))
                                     .Build()});
    ctx.router.Add({.method = "GET",
                    .pattern = p + path + "/{name}",
                    .handler =
                        [&service, &systems, render](http::Request& req) {
                          const auto& name = req.PathParam("name");
                          if (!FindSystem(systems, name)) return UnknownSystem(name, systems);
                          return http::Response::Json(render(*service.Snapshot(), name));
                        },
                    .operation = name_param(Operation(summary.substr(0, summary.size() - 1),
                                                      "status", id + "__name__get"))
                                     .Returns(ArrayOf(Ref(schema)))
                                     .Build()});
  };
  add_grouped("/status/outages", "Read Outages", "read_outages_status_outages", "Outage",
              [](const StatusSnapshot& s, const std::string& name) {
                return OutagesJson(s.outages.at(name), OutageKind::kCurrentAndPast);
              });
  add_grouped("/status/outages/planned", "Read Planned Outages",
              "read_planned_outages_status_outages_planned", "Outage",
              [](const StatusSnapshot& s, const std::string& name) {
                return OutagesJson(s.outages.at(name), OutageKind::kPlanned);
              });
  add_grouped("/status/notes", "Read Notes", "read_notes_status_notes", "Note",
              [](const StatusSnapshot& s, const std::string& name) {
                json::array out;
                for (const auto& n : s.notes.at(name)) out.push_back(NoteJson(n));
                return out;
              });
}

}  // namespace sfapid::sfapi
