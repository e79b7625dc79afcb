#include "core/callbacks/job_ended_event.h"

#include <boost/json.hpp>

#include "core/callbacks/event_mail.h"

namespace sfapid {

namespace json = boost::json;

namespace {

json::value TimeOrNull(int64_t unix_seconds) {
  if (unix_seconds <= 0) return nullptr;
  return json::value(FormatIso8601(TimePoint{std::chrono::seconds{unix_seconds}}));
}

}  // namespace

std::string JobEndedBody(const FinishedJob& job, const std::string& delivery_id,
                         TimePoint sent_at) {
  json::object o = EventEnvelope("job.ended", delivery_id, sent_at, job.system);
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

std::string JobEndedMail(const std::string& body, const std::string& from, const std::string& to,
                         TimePoint date) {
  const json::object o = EventObject(body);
  const std::string jobid = EventField(o, "jobid"), machine = EventField(o, "machine");
  const std::string state = EventField(o, "state");
  auto time_or = [&](const char* key, const char* none) {
    const std::string t = EventField(o, key);
    return t.empty() ? std::string(none) : t;
  };
  return ComposeEventMail(
      EventMail{from,
                to,
                "[sfapid] job " + jobid + " on " + machine + " " + state,
                "job.ended",
                EventField(o, "delivery_id"),
                date,
                {
                    "Job " + jobid + " on " + machine + " ended: " + state + ", exit code " +
                        EventField(o, "exit_code") + ".",
                    "",
                    "  User:       " + EventField(o, "user"),
                    "  Account:    " + EventField(o, "account"),
                    "  Submitted:  " + time_or("submit_time", "-"),
                    "  Started:    " + time_or("start_time", "never"),
                    "  Ended:      " + time_or("end_time", "-"),
                    "",
                    "You receive this because the job was submitted with callbackEmail=" + to + ".",
                }});
}

}  // namespace sfapid
