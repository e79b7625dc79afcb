#include "core/callbacks/reservation_changed_event.h"

#include <boost/json.hpp>

#include "core/callbacks/event_mail.h"

namespace sfapid {

namespace json = boost::json;

namespace {

std::string Iso(int64_t unix_seconds) {
  return FormatIso8601(TimePoint{std::chrono::seconds{unix_seconds}});
}

// What a history line's action did, for the mail's first line.
std::string Happened(const std::string& action) {
  if (action == "approve") return "was approved";
  if (action == "deny") return "was denied";
  if (action == "schedule") return "is scheduled";
  if (action == "activate") return "is active";
  if (action == "complete") return "has completed";
  if (action == "cancel") return "was cancelled";
  if (action == "fail") return "failed";
  if (action == "modify") return "was changed";
  if (action == "charge") return "was charged";
  return "changed (" + action + ")";
}

}  // namespace

std::string ReservationChangedBody(const Reservation& r, const ReservationEvent& e, int64_t seq,
                                   const std::string& delivery_id, TimePoint sent_at) {
  json::object o = EventEnvelope(kReservationChangedEvent, delivery_id, sent_at, r.machine);
  o["reservation_id"] = std::to_string(r.id);
  o["name"] = r.name;
  o["account"] = r.account;
  o["action"] = e.action;
  o["state"] = e.state;
  o["note"] = e.note;
  o["by"] = e.actor;
  o["at"] = Iso(e.at);
  o["seq"] = seq;
  o["nodes"] = r.nodes;
  json::array names;
  for (const auto& n : r.node_names) names.emplace_back(n);
  o["node_names"] = std::move(names);
  o["start"] = Iso(r.start);
  o["end"] = Iso(r.end);
  return json::serialize(o);
}

std::string ReservationChangedMail(const std::string& body, const std::string& from,
                                   const std::string& to, TimePoint date) {
  const json::object o = EventObject(body);
  const std::string id = EventField(o, "reservation_id"), name = EventField(o, "name");
  const std::string machine = EventField(o, "machine"), state = EventField(o, "state");
  const std::string note = EventField(o, "note");
  std::vector<std::string> lines{
      "Reservation " + id + " (" + name + ") on " + machine + " " +
          Happened(EventField(o, "action")) + ": it is now " + state + ".",
  };
  if (!note.empty()) lines.push_back("Reason: " + note);
  lines.insert(lines.end(), {
                                "",
                                "  Account:    " + EventField(o, "account"),
                                "  Nodes:      " + EventField(o, "nodes"),
                                "  Start:      " + EventField(o, "start"),
                                "  End:        " + EventField(o, "end"),
                                "  By:         " + EventField(o, "by"),
                                "  At:         " + EventField(o, "at"),
                                "",
                                "You receive this because the reservation was requested with "
                                "callbackEmail=" +
                                    to + ".",
                            });
  return ComposeEventMail(
      EventMail{from, to, "[sfapid] reservation " + id + " on " + machine + " " + state,
                kReservationChangedEvent, EventField(o, "delivery_id"), date, std::move(lines)});
}

}  // namespace sfapid
