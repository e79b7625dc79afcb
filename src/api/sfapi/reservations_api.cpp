// /compute/reservations: advance reservations, an sfapid extension beside v1.2 (tag
// "reservations"; docs/reservations.md). Reads are green, requests, changes and cancellations
// yellow. Errors have v1.2's shapes: a bad field is FastAPI's 422 at ["body", field] or
// ["query", name]; a refusal is {"detail": "..."} with 403 (membership, policy: the rule is
// named), 404 (no such machine or reservation), 409 (the nodes are taken, the name is in use, a
// project's limit, the reservation's state).
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/request_model.h"
#include "api/sfapi/sfapi_api.h"
#include "http/errors.h"
#include "util/time_format.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::Operation;
using openapi::Ref;

namespace {

const api::RequestModel& RequestForm() {
  static const api::RequestModel model(
      "Body_request_reservation_compute_reservations__machine__post",
      {{.name = "account",
        .required = true,
        .description = "The project charged; its members may be admitted",
        .max_length = 64},
       {.name = "nodes",
        .type = api::FieldType::kInteger,
        .required = true,
        .description = "How many nodes",
        .minimum = 1,
        .maximum = 100000},
       {.name = "start",
        .required = true,
        .description = "ISO 8601 with an offset (2026-12-24T09:00:00+00:00), or \"now\"",
        .max_length = 64},
       {.name = "end",
        .description = "ISO 8601 with an offset; or give duration",
        .max_length = 64},
       {.name = "duration",
        .description = "Slurm's time syntax: 90 (minutes), 2:00:00, 1-12:00:00; or give end",
        .max_length = 64},
       {.name = "name",
        .description = "Unique on the machine; made up when absent (jobs name it: "
                       "#SBATCH --reservation=NAME)",
        .max_length = 64},
       {.name = "users",
        .description = "Comma list of users who may run jobs in it (members of the project); "
                       "\"*\" = every member; default: the caller",
        .max_length = 4096},
       {.name = "partition", .description = "Slurm partition", .max_length = 64},
       {.name = "constraint",
        .description = "Node features (Slurm's Features=): letters, digits and _ - . & | , ( ) "
                       "[ ] * :",
        .max_length = 256},
       {.name = "reason", .description = "Why: shown to operators", .max_length = 1024},
       {.name = "callbackUrl",
        .description = "POSTed (signed: X-Sfapi-Signature) on each state change; see "
                       "docs/callbacks.md",
        .max_length = 2048},
       {.name = "callbackEmail", .description = "Mailed on each state change", .max_length = 254}});
  return model;
}

const api::RequestModel& ChangeForm() {
  static const api::RequestModel model(
      "Body_modify_reservation_compute_reservations__machine___id__patch",
      {{.name = "nodes",
        .type = api::FieldType::kInteger,
        .description = "New node count",
        .minimum = 1,
        .maximum = 100000},
       {.name = "start",
        .description = "New start (ISO 8601 with an offset, or \"now\")",
        .max_length = 64},
       {.name = "end", .description = "New end (ISO 8601 with an offset)", .max_length = 64},
       {.name = "duration", .description = "New length in Slurm's time syntax", .max_length = 64},
       {.name = "users", .description = "New comma list of users, or \"*\"", .max_length = 4096}});
  return model;
}

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::array Array(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& i : items) a.emplace_back(i);
  return a;
}

std::string Iso(int64_t unix_seconds) {
  return FormatIso8601(TimePoint{std::chrono::seconds{unix_seconds}});
}

json::object ToWire(const Reservation& r) {
  json::value change = nullptr;
  if (const auto& c = r.pending_change)
    change = json::object{{"nodes", c->nodes},
                          {"start", Iso(c->start)},
                          {"end", Iso(c->end)},
                          {"users", c->all_members ? json::array{"*"} : Array(c->users)},
                          {"requested_by", c->requested_by},
                          {"approved", c->approved}};
  return json::object{
      {"id", std::to_string(r.id)},
      {"name", r.name},
      {"machine", r.machine},
      {"account", r.account},
      {"users", r.all_members ? json::array{"*"} : Array(r.users)},
      {"nodes", r.nodes},
      {"node_names", Array(r.node_names)},
      {"start", Iso(r.start)},
      {"end", Iso(r.end)},
      {"state", ReservationStateName(r.state)},
      {"state_reason", OrNull(r.state_reason)},
      {"partition", OrNull(r.partition)},
      {"constraint", OrNull(r.constraint)},
      {"reason", OrNull(r.reason)},
      {"requested_by", r.requested_by},
      {"decided_by", OrNull(r.decided_by)},
      {"node_hours", r.NodeHours()},
      {"charge_factor", r.charge_factor},
      {"estimated_charge", r.EstimatedCharge()},
      {"charged", r.charged ? json::value(r.charged_node_hours) : json::value(nullptr)},
      {"pending_change", std::move(change)},
      {"created_at", Iso(r.created_at)},
      {"updated_at", Iso(r.updated_at)}};
}

void AddSchemas(json::object& schemas) {
  RequestForm().Document(schemas);
  ChangeForm().Document(schemas);
  json::array states;
  for (ReservationState s : AllReservationStates()) states.emplace_back(ReservationStateName(s));
  schemas["ReservationState"] = json::object{
      {"type", "string"},
      {"enum", std::move(states)},
      {"description",
       "requested -> approved | denied; approved -> scheduled -> active -> completed; cancelled "
       "from any state before completed; failed: the scheduler refused it"}};
  const json::object str{{"type", "string"}};
  const json::object strings = openapi::ArrayOf(str);
  json::object time{{"type", "string"}, {"format", "date-time"}};
  schemas["ReservationChange"] =
      json::object{{"type", "object"},
                   {"description", "A change waiting to be made (approved) or for an operator"},
                   {"properties",
                    {{"nodes", {{"type", "integer"}}},
                     {"start", time},
                     {"end", time},
                     {"users", strings},
                     {"requested_by", str},
                     {"approved", {{"type", "boolean"}}}}}};
  schemas["Reservation"] = json::object{
      {"type", "object"},
      {"required",
       json::array{"id", "name", "machine", "account", "users", "nodes", "start", "end", "state"}},
      {"properties",
       {{"id", str},
        {"name", str},
        {"machine", str},
        {"account", str},
        {"users", {{"type", "array"}, {"items", str}, {"description", "[\"*\"]: every member"}}},
        {"nodes", {{"type", "integer"}}},
        {"node_names", {{"type", "array"}, {"items", str}, {"description", "Once placed"}}},
        {"start", time},
        {"end", time},
        {"state", Ref("ReservationState")},
        {"state_reason", openapi::NullableString()},
        {"partition", openapi::NullableString()},
        {"constraint", openapi::NullableString()},
        {"reason", openapi::NullableString()},
        {"requested_by", str},
        {"decided_by",
         {{"anyOf", json::array{str, {{"type", "null"}}}},
          {"description", "\"policy\" (approved automatically) or the operator"}}},
        {"node_hours", {{"type", "number"}, {"description", "nodes x hours"}}},
        {"charge_factor", {{"type", "number"}}},
        {"estimated_charge", {{"type", "number"}, {"description", "node_hours x charge_factor"}}},
        {"charged",
         {{"anyOf", json::array{{{"type", "number"}}, {{"type", "null"}}}},
          {"description", "Node-hours charged to the project; null until charged"}}},
        {"pending_change", {{"anyOf", json::array{Ref("ReservationChange"), {{"type", "null"}}}}}},
        {"created_at", time},
        {"updated_at", time}}}};
  schemas["ReservationEvent"] = json::object{
      {"type", "object"},
      {"properties",
       {{"at", time}, {"actor", str}, {"action", str}, {"state", str}, {"note", str}}}};
}

ReservationActor Caller(const http::Request& req) {
  return ReservationActor{req.principal->user, false, req.principal->client_id};
}

// The {id} path segment: a decimal reservation id, or 404 as for any id that names nothing.
std::optional<int64_t> PathId(const http::Request& req) {
  const std::string& text = req.PathParam("id");
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

http::Response NoSuchId(const http::Request& req) {
  return http::DetailError(
      404, "no reservation " + req.PathParam("id") + " on " + req.PathParam("machine"));
}

http::Response One(const Result<Reservation>& r, const api::RequestModel* model = nullptr,
                   int status = 200) {
  if (!r) return model ? model->Refusal(r.status()) : http::FromStatus(r.status());
  return http::Response::Json(status, ToWire(*r));
}

Operation ResvOp(const char* summary, const char* id) {
  return Operation(summary, "reservations", id)
      .PathParam("machine", "The compute system, e.g. perlmutter");
}

}  // namespace

void AddReservationRoutes(ApiContext& ctx) {
  AddSchemas(ctx.schemas);
  const std::string p = std::string(kPrefix) + "/compute/reservations/{machine}";
  ReservationService& service = ctx.reservations;
  ReservationLifecycle& lifecycle = ctx.reservation_lifecycle;
  CallbackService& callbacks = ctx.callbacks;  // ctx itself does not outlive registration

  ctx.router.Add(
      {.method = "POST",
       .pattern = p,
       .handler =
           [&service, &lifecycle, &callbacks](http::Request& req) {
             const api::RequestModel& model = RequestForm();
             auto form = model.Parse(req);
             if (!form) return form.refusal();
             ReservationRequest r;
             r.machine = req.PathParam("machine");
             r.account = form->String("account");
             r.nodes = form->Int("nodes").value_or(0);
             r.start = form->String("start");
             r.end = form->String("end");
             r.duration = form->String("duration");
             r.name = form->String("name");
             r.users = form->String("users");
             r.partition = form->String("partition");
             r.constraint = form->String("constraint");
             r.reason = form->String("reason");
             CallbackRequest callback;
             callback.url = form->String("callbackUrl");
             callback.email = form->String("callbackEmail");
             if (!callback.empty()) {
               auto valid = callbacks.Validate(callback);
               if (!valid) return model.Refusal(valid.status());
             }
             r.callback_url = callback.url;
             r.callback_email = callback.email;
             auto made = service.Request(Caller(req), r);
             if (made) lifecycle.Wake();
             return One(made, &model, 201);
           },
       .execution = http::Execution::kBlocking,
       .operation =
           ResvOp("Request Reservation", "request_reservation_compute_reservations__machine__post")
               .Description("sfapid extension: asks for an advance reservation under the "
                            "system's policy. Within policy and small enough it is approved at "
                            "once and made in the scheduler within a second; larger ones wait "
                            "for an operator (state requested). A broken rule is refused with "
                            "the rule and its limit, and nothing is stored.")
               .FormBody(RequestForm().name())
               .Returns(Ref("Reservation"), "Accepted: the reservation as stored")
               .Error(403, "Not a member of the project, or a policy rule (named in detail)")
               .Error(404, "No such machine")
               .Error(409,
                      "The nodes are reserved then, the name is in use, or the project "
                      "has its most unfinished reservations")
               .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p,
       .handler =
           [&service](http::Request& req) {
             ReservationListQuery q;
             q.machine = req.PathParam("machine");
             if (const std::string* state = req.Query("state"); state && !state->empty()) {
               q.state = ParseReservationState(*state);
               if (!q.state)
                 return http::ValidationError(
                     {{"query", "state"},
                      "must be one of requested, approved, denied, scheduled, active, "
                      "completed, cancelled, failed",
                      "enum"});
             }
             if (const std::string* account = req.Query("account")) q.account = *account;
             auto list = service.List(Caller(req), q);
             if (!list) return http::FromStatus(list.status());
             json::array out;
             for (const auto& r : *list) out.push_back(ToWire(r));
             return http::Response::Json(std::move(out));
           },
       .execution = http::Execution::kBlocking,
       .operation =
           ResvOp("Read Reservations", "read_reservations_compute_reservations__machine__get")
               .Description("sfapid extension: the caller's reservations and their projects'")
               .QueryParam("state", Ref("ReservationState"), "Only those in this state")
               .QueryParam("account", openapi::StringSchema(), "Only this project's")
               .Returns(openapi::ArrayOf(Ref("Reservation")))
               .Build()});

  ctx.router.Add({.method = "GET",
                  .pattern = p + "/{id}",
                  .handler =
                      [&service](http::Request& req) {
                        auto id = PathId(req);
                        if (!id) return NoSuchId(req);
                        return One(service.Get(Caller(req), req.PathParam("machine"), *id));
                      },
                  .execution = http::Execution::kBlocking,
                  .operation = ResvOp("Read Reservation",
                                      "read_reservation_compute_reservations__machine___id__get")
                                   .PathParam("id", "The reservation's id")
                                   .Returns(Ref("Reservation"))
                                   .Error(404, "No such reservation (or not the caller's)")
                                   .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/{id}/history",
       .handler =
           [&service](http::Request& req) {
             auto id = PathId(req);
             if (!id) return NoSuchId(req);
             auto events = service.History(Caller(req), req.PathParam("machine"), *id);
             if (!events) return http::FromStatus(events.status());
             json::array out;
             for (const auto& e : *events)
               out.push_back(json::object{{"at", Iso(e.at)},
                                          {"actor", e.actor},
                                          {"action", e.action},
                                          {"state", e.state},
                                          {"note", e.note}});
             return http::Response::Json(std::move(out));
           },
       .execution = http::Execution::kBlocking,
       .operation =
           ResvOp("Read Reservation History",
                  "read_reservation_history_compute_reservations__machine___id__history_get")
               .PathParam("id", "The reservation's id")
               .Description("sfapid extension: every decision and state change, oldest "
                            "first (who approved, the scheduler's words, charges)")
               .Returns(openapi::ArrayOf(Ref("ReservationEvent")))
               .Build()});

  ctx.router.Add(
      {.method = "PATCH",
       .pattern = p + "/{id}",
       .handler =
           [&service, &lifecycle](http::Request& req) {
             auto id = PathId(req);
             if (!id) return NoSuchId(req);
             const api::RequestModel& model = ChangeForm();
             auto form = model.Parse(req);
             if (!form) return form.refusal();
             ReservationChangeRequest c;
             if (form->Has("nodes")) c.nodes = form->Int("nodes");
             if (form->Has("start")) c.start = form->String("start");
             if (form->Has("end")) c.end = form->String("end");
             if (form->Has("duration")) c.duration = form->String("duration");
             if (form->Has("users")) c.users = form->String("users");
             auto changed = service.Modify(Caller(req), req.PathParam("machine"), *id, c);
             if (changed) lifecycle.Wake();
             return One(changed, &model);
           },
       .execution = http::Execution::kBlocking,
       .operation =
           ResvOp("Modify Reservation",
                  "modify_reservation_compute_reservations__machine___id__patch")
               .PathParam("id", "The reservation's id")
               .Description("sfapid extension: changes nodes, times or users, checked by policy "
                            "again. A reservation not yet approved changes at once; an approved "
                            "one keeps its block until the change (pending_change) is approved "
                            "and made in the scheduler.")
               .FormBody(ChangeForm().name())
               .Returns(Ref("Reservation"))
               .Error(403, "Not the requester, a PI or an operator; or a policy rule")
               .Error(409, "The reservation has ended or changed meanwhile")
               .Build()});

  ctx.router.Add(
      {.method = "DELETE",
       .pattern = p + "/{id}",
       .handler =
           [&service, &lifecycle](http::Request& req) {
             auto id = PathId(req);
             if (!id) return NoSuchId(req);
             auto cancelled = service.Cancel(Caller(req), req.PathParam("machine"), *id);
             if (cancelled) lifecycle.Wake();
             return One(cancelled);
           },
       .execution = http::Execution::kBlocking,
       .operation =
           ResvOp("Cancel Reservation",
                  "cancel_reservation_compute_reservations__machine___id__delete")
               .PathParam("id", "The reservation's id")
               .Description("sfapid extension: by the requester, a PI of the project or an "
                            "operator. Cancelled within the system's cancellation notice before "
                            "the start (or after it) the whole block is charged.")
               .Returns(Ref("Reservation"))
               .Error(403, "Not the requester, a PI or an operator")
               .Error(409, "Already completed, cancelled, denied or failed")
               .Build()});
}

}  // namespace sfapid::sfapi
