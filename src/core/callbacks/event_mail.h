// The parts every callback mail shares: its headers (sender, subject, threading ids, the
// auto-generated markers), the text/plain body, and reading the event's JSON safely into them.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "util/time_format.h"

namespace sfapid {

// "Thu, 27 Nov 2026 17:23:33 +0000" (RFC 5322 date-time, in UTC).
std::string FormatRfc5322Date(TimePoint t);

// The event body as an object (empty when it is not one).
boost::json::object EventObject(const std::string& body);
// The fields every event body starts with, in this order: event, delivery_id, sent_at, machine.
boost::json::object EventEnvelope(const char* event, const std::string& delivery_id,
                                  TimePoint sent_at, const std::string& machine);
// A string field of the event, made safe for a header or a line (control characters become
// spaces); "" when absent or not a string.
std::string EventField(const boost::json::object& event, const char* key);

struct EventMail {
  std::string from, to, subject;
  std::string event;        // X-Sfapi-Event
  std::string delivery_id;  // X-Sfapi-Delivery and the Message-ID's local part
  TimePoint date;
  std::vector<std::string> lines;  // the text, one entry per line
};

// An RFC 5322 message with CRLF line ends.
std::string ComposeEventMail(const EventMail& mail);

}  // namespace sfapid
