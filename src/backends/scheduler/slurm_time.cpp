#include "backends/scheduler/slurm_time.h"

#include <charconv>
#include <ctime>
#include <vector>

namespace sfapid::slurm {

namespace {

std::optional<int64_t> Number(std::string_view s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::optional<std::vector<int64_t>> Numbers(std::string_view s, char sep) {
  std::vector<int64_t> out;
  for (;;) {
    const size_t at = s.find(sep);
    auto n = Number(s.substr(0, at));
    if (!n) return std::nullopt;
    out.push_back(*n);
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

int64_t LocalMidnight(int64_t now) {
  const time_t t = static_cast<time_t>(now);
  tm local{};
  localtime_r(&t, &local);
  local.tm_hour = local.tm_min = local.tm_sec = 0;
  local.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&local));
}

std::string TwoDigits(int64_t v) {
  std::string s = std::to_string(v);
  if (s.size() < 2) s.insert(s.begin(), '0');
  return s;
}

}  // namespace

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (EqualsNoCase(text, "unlimited") || EqualsNoCase(text, "infinite")) return kUnlimited;
  int64_t days = 0;
  std::string_view rest = text;
  if (const size_t dash = text.find('-'); dash != std::string_view::npos) {
    auto d = Number(text.substr(0, dash));
    if (!d) return std::nullopt;
    days = *d;
    rest = text.substr(dash + 1);
    auto parts = Numbers(rest, ':');
    if (!parts || parts->size() > 3) return std::nullopt;
    int64_t secs = (*parts)[0] * 3600;
    if (parts->size() > 1) secs += (*parts)[1] * 60;
    if (parts->size() > 2) secs += (*parts)[2];
    return days * 86400 + secs;
  }
  auto parts = Numbers(rest, ':');
  if (!parts || parts->size() > 3) return std::nullopt;
  const auto& p = *parts;
  if (p.size() == 1) return p[0] * 60;
  if (p.size() == 2) return p[0] * 60 + p[1];
  return p[0] * 3600 + p[1] * 60 + p[2];
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) return "UNLIMITED";
  const int64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60,
                s = seconds % 60;
  if (d > 0)
    return std::to_string(d) + "-" + TwoDigits(h) + ":" + TwoDigits(m) + ":" + TwoDigits(s);
  if (h > 0) return std::to_string(h) + ":" + TwoDigits(m) + ":" + TwoDigits(s);
  return std::to_string(m) + ":" + TwoDigits(s);
}

std::string FormatElapsed(int64_t seconds) {
  if (seconds < 0) return "UNLIMITED";
  const int64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60,
                s = seconds % 60;
  return (d > 0 ? std::to_string(d) + "-" : "") + TwoDigits(h) + ":" + TwoDigits(m) + ":" +
         TwoDigits(s);
}

std::string FormatTimeLimit(int64_t seconds) {
  if (seconds < 0) return "UNLIMITED";
  std::string out = std::to_string(seconds / 86400);
  out += '-';
  out += FormatElapsed(seconds % 86400);
  return out;
}

std::optional<int64_t> ParseBegin(std::string_view text, int64_t now) {
  if (text.rfind("now", 0) == 0) {
    std::string_view rest = text.substr(3);
    if (rest.empty()) return now;
    if (rest.front() != '+') return std::nullopt;
    rest.remove_prefix(1);
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    auto n = Number(rest.substr(0, digits));
    if (!n) return std::nullopt;
    const std::string_view unit = rest.substr(digits);
    int64_t scale = 0;
    if (unit.empty() || unit == "s" || unit == "seconds" || unit == "second")
      scale = 1;
    else if (unit == "minutes" || unit == "minute" || unit == "min")
      scale = 60;
    else if (unit == "hours" || unit == "hour" || unit == "h")
      scale = 3600;
    else if (unit == "days" || unit == "day")
      scale = 86400;
    else if (unit == "weeks" || unit == "week")
      scale = 7 * 86400;
    else
      return std::nullopt;
    return now + *n * scale;
  }
  const int64_t midnight = LocalMidnight(now);
  if (text == "today" || text == "midnight") return text == "today" ? midnight : midnight + 86400;
  if (text == "tomorrow") return midnight + 86400;
  if (text == "noon")
    return now < midnight + 12 * 3600 ? midnight + 12 * 3600 : midnight + 36 * 3600;
  if (text.find('-') == std::string_view::npos) {
    auto parts = Numbers(text, ':');
    if (!parts || parts->size() < 2 || parts->size() > 3) return std::nullopt;
    const auto& p = *parts;
    if (p[0] > 23 || p[1] > 59 || (p.size() == 3 && p[2] > 59)) return std::nullopt;
    int64_t at = midnight + p[0] * 3600 + p[1] * 60 + (p.size() == 3 ? p[2] : 0);
    return at < now ? at + 86400 : at;
  }
  // YYYY-MM-DD[THH:MM[:SS]]
  const size_t t = text.find('T');
  auto date = Numbers(text.substr(0, t), '-');
  if (!date || date->size() != 3) return std::nullopt;
  std::vector<int64_t> clock{0, 0, 0};
  if (t != std::string_view::npos) {
    auto c = Numbers(text.substr(t + 1), ':');
    if (!c || c->size() < 2 || c->size() > 3) return std::nullopt;
    for (size_t i = 0; i < c->size(); ++i) clock[i] = (*c)[i];
  }
  const auto& d = *date;
  if (d[1] < 1 || d[1] > 12 || d[2] < 1 || d[2] > 31 || clock[0] > 23 || clock[1] > 59 ||
      clock[2] > 59)
    return std::nullopt;
  tm local{};
  local.tm_year = static_cast<int>(d[0] - 1900);
  local.tm_mon = static_cast<int>(d[1] - 1);
  local.tm_mday = static_cast<int>(d[2]);
  local.tm_hour = static_cast<int>(clock[0]);
  local.tm_min = static_cast<int>(clock[1]);
  local.tm_sec = static_cast<int>(clock[2]);
  local.tm_isdst = -1;
  const time_t at = mktime(&local);
  if (at == static_cast<time_t>(-1) || local.tm_mday != static_cast<int>(d[2])) return std::nullopt;
  return static_cast<int64_t>(at);
}

std::string FormatTimestamp(int64_t unix_seconds, std::string_view unset) {
  if (unix_seconds <= 0) return std::string(unset);
  const time_t t = static_cast<time_t>(unix_seconds);
  tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &local);
  return buf;
}

int64_t ParseTimestamp(const std::string& text) {
  tm t{};
  if (text.size() != 19 || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &t)) return 0;
  t.tm_isdst = -1;
  return static_cast<int64_t>(mktime(&t));
}

}  // namespace sfapid::slurm
