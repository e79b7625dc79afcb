#include "core/callbacks/job_ended_event.h"

#include <boost/json.hpp>
#include <cstdio>

namespace sfapid {

namespace json = boost::json;

namespace {

json::value TimeOrNull(int64_t unix_seconds) {
  if (unix_seconds <= 0) return nullptr;
  return json::value(FormatIso8601(TimePoint{std::chrono::seconds{unix_seconds}}));
}

// Values come from the scheduler and the config: none may start a new header or line.
std::string HeaderSafe(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return s;
}

std::string Field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? HeaderSafe(std::string(v->get_string())) : std::string();
}

}  // namespace

std::string JobEndedBody(const FinishedJob& job, const std::string& delivery_id,
                         TimePoint sent_at) {
  json::object o;
  o["event"] = "job.ended";
  o["delivery_id"] = delivery_id;
  o["sent_at"] = FormatIso8601(sent_at);
  o["machine"] = job.system;
  o["jobid"] = job.jobid;
  o["user"] = job.user;
  o["account"] = job.account;
  o["state"] = job.state;
  o["exit_code"] = job.exit_code;
  o["submit_time"] = TimeOrNull(job.submit_time);
  o["start_time"] = TimeOrNull(job.start_time);
  o["end_time"] = TimeOrNull(job.end_time);
  return json::serialize(o);
}

std::string WithSentAt(const std::string& body, TimePoint sent_at) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return body;
  v.as_object()["sent_at"] = FormatIso8601(sent_at);  // keeps its place among the keys
  return json::serialize(v);
}

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

std::string JobEndedMail(const std::string& body, const std::string& from, const std::string& to,
                         TimePoint date) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object empty;
  const json::object& o = !ec && v.is_object() ? v.as_object() : empty;
  const std::string jobid = Field(o, "jobid"), machine = Field(o, "machine");
  const std::string state = Field(o, "state"), id = Field(o, "delivery_id");
  const auto at = from.rfind('@');
  const std::string domain = at == std::string::npos ? "sfapid" : from.substr(at + 1);
  auto time_or = [&](const char* key, const char* none) {
    const std::string t = Field(o, key);
    return t.empty() ? std::string(none) : t;
  };
  std::string m;
  auto line = [&m](const std::string& text) { m += text + "\r\n"; };
  line("From: " + HeaderSafe(from));
  line("To: " + HeaderSafe(to));
  line("Subject: [sfapid] job " + jobid + " on " + machine + " " + state);
  line("Date: " + FormatRfc5322Date(date));
  line("Message-ID: <" + id + "@" + HeaderSafe(domain) + ">");
  line("Auto-Submitted: auto-generated");  // RFC 3834: no vacation replies to a robot
  line("X-Sfapi-Event: job.ended");
  line("X-Sfapi-Delivery: " + id);
  line("MIME-Version: 1.0");
  line("Content-Type: text/plain; charset=utf-8");
  line("Content-Transfer-Encoding: 8bit");
  line("");
  line("Job " + jobid + " on " + machine + " ended: " + state + ", exit code " +
       Field(o, "exit_code") + ".");
  line("");
  line("  User:       " + Field(o, "user"));
  line("  Account:    " + Field(o, "account"));
  line("  Submitted:  " + time_or("submit_time", "-"));
  line("  Started:    " + time_or("start_time", "never"));
  line("  Ended:      " + time_or("end_time", "-"));
  line("");
  line("You receive this because the job was submitted with callbackEmail=" + to + ".");
  return m;
}

}  // namespace sfapid
