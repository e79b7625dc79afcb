#include "core/reservations/reservation_request.h"

#include <algorithm>

#include "backends/scheduler/slurm_time.h"
#include "util/split.h"
#include "util/time_format.h"
#include "util/uuid.h"

namespace sfapid {

namespace {

constexpr size_t kMaxText = 1024;  // reason, partition, constraint
constexpr int64_t kMaxNodes = 100000;
constexpr int64_t kMaxSeconds = 366LL * 24 * 3600;  // nothing is reserved for longer than a year

// ISO 8601 with an explicit offset: a time without one would silently be UTC, which is not what
// a user in another zone meant.
bool HasOffset(const std::string& text) {
  const size_t t = text.find_first_of("Tt ");
  if (t == std::string::npos) return false;
  return text.back() == 'Z' || text.back() == 'z' ||
         text.find_first_of("+-", t) != std::string::npos;
}

Result<int64_t> ReadStart(const std::string& text, int64_t now) {
  if (text == "now") return now;
  if (!HasOffset(text))
    return FieldError("start",
                      "must be \"now\" or an ISO 8601 time with an offset, e.g. "
                      "2026-12-24T09:00:00+00:00");
  auto t = ParseIso8601(text);
  if (!t) return FieldError("start", "'" + text + "' is not a valid ISO 8601 time");
  const int64_t start = t->time_since_epoch().count();
  // A minute of slack for clocks and the request's own travel.
  if (start + 60 < now) return FieldError("start", "is in the past");
  return start;
}

Result<int64_t> ReadEnd(const std::string& end, const std::string& duration, int64_t start) {
  if (!end.empty() && !duration.empty())
    return FieldError("duration", "give end or duration, not both");
  if (end.empty() && duration.empty()) return FieldError("end", "give end or duration");
  int64_t stop = 0;
  if (!duration.empty()) {
    auto seconds = slurm::ParseDuration(duration);
    if (!seconds || *seconds == slurm::kUnlimited)
      return FieldError("duration", "'" + duration +
                                        "' is not a duration in Slurm's syntax (e.g. 2:00:00, "
                                        "1-12:00:00)");
    if (*seconds <= 0) return FieldError("duration", "must be positive");
    if (*seconds > kMaxSeconds) return FieldError("duration", "must be at most 366 days");
    stop = start + *seconds;
  } else {
    if (!HasOffset(end)) return FieldError("end", "must be an ISO 8601 time with an offset");
    auto t = ParseIso8601(end);
    if (!t) return FieldError("end", "'" + end + "' is not a valid ISO 8601 time");
    stop = t->time_since_epoch().count();
    if (stop <= start) return FieldError("end", "must be after start");
    if (stop - start > kMaxSeconds)
      return FieldError("end", "must be at most 366 days after start");
  }
  return stop;
}

Status ReadNodes(int64_t nodes) {
  if (nodes < 1) return FieldError("nodes", "must be at least 1");
  if (nodes > kMaxNodes) return FieldError("nodes", "must be at most 100000");
  return Status::Ok();
}

Status ReadUsers(const std::string& text, const std::string& requester, Reservation& r) {
  r.users.clear();
  r.all_members = false;
  if (text == "*") {
    r.all_members = true;
    return Status::Ok();
  }
  if (text.size() > 4096) return FieldError("users", "is longer than 4096 characters");
  for (auto& user : SplitList(text)) {
    user.erase(0, user.find_first_not_of(' '));
    user.erase(user.find_last_not_of(' ') + 1);
    if (!ValidReservationName(user))
      return FieldError("users", "'" + user + "' is not a user name");
    r.users.push_back(user);
  }
  if (r.users.empty()) r.users.push_back(requester);
  std::sort(r.users.begin(), r.users.end());
  r.users.erase(std::unique(r.users.begin(), r.users.end()), r.users.end());
  return Status::Ok();
}

Status ReadText(const char* field, const std::string& text, std::string& out) {
  if (text.size() > kMaxText) return FieldError(field, "is longer than 1024 characters");
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return FieldError(field, "must not contain control characters");
  out = text;
  return Status::Ok();
}

}  // namespace

bool ValidReservationName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

Status ReadReservationRequest(const ReservationRequest& req, const std::string& requester,
                              int64_t now, Reservation& r) {
  if (!ValidReservationName(req.account))
    return FieldError("account", "must be a project name (1-64 letters, digits, '_', '-', '.')");
  r.account = req.account;
  r.machine = req.machine;
  if (Status s = ReadNodes(req.nodes); !s.ok()) return s;
  r.nodes = static_cast<int>(req.nodes);
  auto start = ReadStart(req.start, now);
  if (!start) return start.status();
  auto end = ReadEnd(req.end, req.duration, *start);
  if (!end) return end.status();
  r.start = *start;
  r.end = *end;
  if (!req.name.empty() && !ValidReservationName(req.name))
    return FieldError("name", "must be 1-64 letters, digits, '_', '-' or '.'");
  // Slurm's own made-up names are "<user>_<n>"; ours add a short random part to stay unique
  // across restarts and nodes.
  r.name = req.name.empty() ? requester + "_" + NewUuid().substr(0, 8) : req.name;
  if (Status s = ReadUsers(req.users, requester, r); !s.ok()) return s;
  if (!req.partition.empty() && !ValidReservationName(req.partition))
    return FieldError("partition", "must be a partition name");
  r.partition = req.partition;
  if (Status s = ReadText("constraint", req.constraint, r.constraint); !s.ok()) return s;
  // A feature expression as schedulers take it ("cpu&bigmem", "[a|b]*2"): nothing else reaches
  // the scheduler's command line.
  if (r.constraint.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_-.&|,()[]*:") != std::string::npos)
    return FieldError("constraint",
                      "must be a feature expression: letters, digits and _ - . & | , ( ) [ ] * :");
  return ReadText("reason", req.reason, r.reason);
}

Status ApplyReservationChange(const ReservationChangeRequest& change, const std::string& requester,
                              int64_t now, Reservation& r) {
  if (change.empty())
    return Status::InvalidArgument("give at least one of nodes, start, end, duration, users");
  if (change.nodes) {
    if (Status s = ReadNodes(*change.nodes); !s.ok()) return s;
    r.nodes = static_cast<int>(*change.nodes);
  }
  if (change.start || change.end || change.duration) {
    const int64_t length = r.Seconds();
    int64_t start = r.start;
    if (change.start) {
      auto s = ReadStart(*change.start, now);
      if (!s) return s.status();
      start = *s;
    }
    int64_t end = start + length;
    if (change.end || change.duration) {
      auto e = ReadEnd(change.end.value_or(""), change.duration.value_or(""), start);
      if (!e) return e.status();
      end = *e;
    }
    r.start = start;
    r.end = end;
  }
  if (change.users)
    if (Status s = ReadUsers(*change.users, requester, r); !s.ok()) return s;
  return Status::Ok();
}

}  // namespace sfapid
