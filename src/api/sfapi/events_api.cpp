// GET /api/v1.2/events (sfapid extension, docs/events.md): the caller's own events — tasks, jobs,
// reservations, transfers — as Server-Sent Events. Each event has its store id; a client that
// reconnects with Last-Event-ID (or ?last_event_id=) gets what it missed, each event once.
#include <boost/json.hpp>
#include <charconv>
#include <set>
#include <variant>

#include "api/openapi/operation.h"
#include "api/sfapi/sfapi_api.h"
#include "http/errors.h"
#include "util/split.h"
#include "util/time_format.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::Operation;

namespace {

const std::set<std::string> kKinds = {"task", "job", "reservation", "transfer"};

// One event as the stream carries it: `data` is the event's own fields with the common ones.
std::string EventText(const EventRecord& e) {
  boost::system::error_code ec;
  json::value data = json::parse(e.data, ec);
  json::object out = !ec && data.is_object() ? std::move(data.as_object()) : json::object{};
  out["event_id"] = e.id;
  out["kind"] = e.kind;
  out["object_id"] = e.object_id;
  out["user"] = e.owner;
  out["time"] = FormatIso8601(TimePoint(std::chrono::seconds(e.created_ms / 1000)));
  return "id: " + std::to_string(e.id) + "\nevent: " + e.kind + "\ndata: " + json::serialize(out) +
         "\n\n";
}

std::string ControlEvent(const char* name, const json::object& data) {
  return std::string("event: ") + name + "\ndata: " + json::serialize(data) + "\n\n";
}

// The subscription as a stream body for the HTTP server.
class EventStream : public http::StreamBody {
 public:
  EventStream(std::shared_ptr<EventSubscription> sub, const EventsConfig& config,
              int64_t resumed_from)
      : sub_(std::move(sub)), config_(config), last_sent_(resumed_from) {}

  void Start(http::Wake wake) override { sub_->SetWake(std::move(wake)); }

  std::optional<std::string> Next() override {
    if (ended_) return std::nullopt;
    std::string out;
    if (!started_) {
      started_ = true;
      out = "retry: 3000\n\n";  // EventSource reconnects after 3 s, sending Last-Event-ID
    }
    EventSubscription::Taken taken = sub_->Take();
    if (taken.purged)
      out +=
          ControlEvent("reset", {{"last_event_id", last_sent_},
                                 {"detail",
                                  "events after the one you resumed from are no longer kept; read "
                                  "the state of your objects again"}});
    for (const EventRecord& e : taken.events) {
      out += EventText(e);
      last_sent_ = e.id;
    }
    if (taken.overflowed) {
      // The last event this stream sends: the client was too far behind for the queue.
      out += ControlEvent(
          "dropped",
          {{"last_event_id", last_sent_},
           {"detail", "this stream fell " + std::to_string(config_.queue_events) +
                          " events behind and was closed; reconnect with Last-Event-ID: " +
                          std::to_string(last_sent_) + " to go on"}});
      ended_ = true;
    }
    return out;
  }

  std::string Heartbeat() const override { return ": heartbeat\n\n"; }
  std::chrono::milliseconds heartbeat_interval() const override {
    return std::chrono::milliseconds(static_cast<int64_t>(config_.heartbeat_seconds * 1000));
  }
  void Close() override { sub_->Close(); }

 private:
  std::shared_ptr<EventSubscription> sub_;
  const EventsConfig& config_;
  int64_t last_sent_;
  bool started_ = false, ended_ = false;
};

// Last-Event-ID (header) or last_event_id (query, for clients that cannot set headers).
std::variant<std::optional<int64_t>, http::Response> ResumePoint(const http::Request& req) {
  const std::string* text = req.Query("last_event_id");
  const char* where = "last_event_id";
  if (!text) {
    text = req.Header("last-event-id");
    where = "Last-Event-ID";
  }
  if (!text) return std::optional<int64_t>();
  int64_t id = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, id);
  if (ec != std::errc() || ptr != end || id < 0)
    return http::ValidationError({{text == req.Query("last_event_id") ? "query" : "header", where},
                                  "must be an event id (a whole number from 0)",
                                  "type_error.integer"});
  return std::optional<int64_t>(id);
}

}  // namespace

void AddEventRoutes(ApiContext& ctx) {
  EventHub& hub = ctx.events;
  const EventsConfig& config = ctx.events_config;
  ctx.router.Add(
      {.method = "GET",
       .pattern = std::string(kPrefix) + "/events",
       .handler =
           [&hub, &config](http::Request& req) {
             EventFilter filter;
             for (const std::string& list : http::AllParams(req.query, "kind"))
               for (const std::string& kind : SplitList(list)) {
                 if (!kKinds.contains(kind))
                   return http::ValidationError(
                       {{"query", "kind"},
                        "kind must be task, job, reservation or transfer, not '" + kind + "'",
                        "type_error.enum"});
                 filter.kinds.insert(kind);
               }
             for (const std::string& list : http::AllParams(req.query, "id"))
               for (const std::string& id : SplitList(list)) filter.object_ids.insert(id);
             auto resume = ResumePoint(req);
             if (auto* bad = std::get_if<http::Response>(&resume)) return std::move(*bad);
             const auto after = std::get<std::optional<int64_t>>(resume);
             auto sub = hub.Subscribe(req.principal->user, std::move(filter), after);
             if (!sub) {
               if (sub.status().code() == Code::kFailedPrecondition) {
                 http::Response r = http::DetailError(429, sub.status().message());
                 r.headers.emplace_back("Retry-After", "5");
                 return r;
               }
               return http::FromStatus(sub.status());
             }
             http::Response r;
             r.content_type = "text/event-stream";
             r.stream = std::make_shared<EventStream>(std::move(*sub), config,
                                                      after ? *after : hub.last_dispatched());
             return r;
           },
       .execution = http::Execution::kBlocking,
       .operation =
           Operation("Read Events", "events", "read_events_events_get")
               .Description(
                   "sfapid extension. The caller's own events as Server-Sent Events "
                   "(text/event-stream): each is `id: N`, `event: task|job|reservation|transfer` "
                   "and `data: {...}` with event_id, kind, object_id, user, time and the "
                   "kind's fields (task: task_id, status, task_kind, system; job: machine, "
                   "jobid, state; reservation: machine, id, state; transfer: transfer_id, "
                   "status). A comment line `: heartbeat` comes when nothing else did for "
                   "[events] heartbeat_seconds. `event: reset` says events after the resume "
                   "point are no longer kept; `event: dropped` (the last one) says the client "
                   "fell too far behind. Reconnect with Last-Event-ID to resume.")
               .QueryParam("kind",
                           openapi::ArrayOf(
                               openapi::EnumSchema({"task", "job", "reservation", "transfer"})),
                           "Only these kinds (repeated, or a comma list)")
               .QueryParam("id", openapi::ArrayOf(json::object{{"type", "string"}}),
                           "Only these objects: task ids, machine/jobid, reservation ids, "
                           "transfer ids (repeated, or a comma list)")
               .QueryParam("last_event_id", {{"type", "integer"}, {"minimum", 0}},
                           "Resume after this event (as the Last-Event-ID header does)")
               .ReturnsMedia(200, "text/event-stream", "The stream of events", {"Cache-Control"})
               .Error(429, "The user has [events] max_streams_per_user streams open already")
               .Build()});
}

}  // namespace sfapid::sfapi
