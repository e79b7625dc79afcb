#include "core/callbacks/event_mail.h"

#include <cstdio>

namespace sfapid {

namespace json = boost::json;

namespace {

// Values come from the scheduler, the config and users: none may start a new header or line.
std::string HeaderSafe(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return s;
}

}  // namespace

std::string FormatRfc5322Date(TimePoint t) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  const weekday wd{day};
  char out[40];
  std::snprintf(out, sizeof out, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1], int(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return out;
}

json::object EventEnvelope(const char* event, const std::string& delivery_id, TimePoint sent_at,
                           const std::string& machine) {
  return json::object{{"event", event},
                      {"delivery_id", delivery_id},
                      {"sent_at", FormatIso8601(sent_at)},
                      {"machine", machine}};
}

json::object EventObject(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : json::object();
}

std::string EventField(const json::object& event, const char* key) {
  const json::value* v = event.if_contains(key);
  if (!v) return "";
  if (v->is_string()) return HeaderSafe(std::string(v->get_string()));
  if (v->is_int64()) return std::to_string(v->get_int64());
  return "";
}

std::string ComposeEventMail(const EventMail& mail) {
  const auto at = mail.from.rfind('@');
  const std::string domain = at == std::string::npos ? "sfapid" : mail.from.substr(at + 1);
  std::string m;
  auto line = [&m](const std::string& text) { m += text + "\r\n"; };
  line("From: " + HeaderSafe(mail.from));
  line("To: " + HeaderSafe(mail.to));
  line("Subject: " + HeaderSafe(mail.subject));
  line("Date: " + FormatRfc5322Date(mail.date));
  line("Message-ID: <" + HeaderSafe(mail.delivery_id) + "@" + HeaderSafe(domain) + ">");
  line("Auto-Submitted: auto-generated");  // RFC 3834: no vacation replies to a robot
  line("X-Sfapi-Event: " + HeaderSafe(mail.event));
  line("X-Sfapi-Delivery: " + HeaderSafe(mail.delivery_id));
  line("MIME-Version: 1.0");
  line("Content-Type: text/plain; charset=utf-8");
  line("Content-Transfer-Encoding: 8bit");
  line("");
  for (const auto& l : mail.lines) line(HeaderSafe(l));
  return m;
}

}  // namespace sfapid
