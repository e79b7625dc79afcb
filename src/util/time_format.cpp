#include "util/time_format.h"

#include <cctype>

namespace sfapid {

TimePoint Now() { return std::chrono::time_point_cast<std::chrono::seconds>(Clock::now()); }

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

std::string FormatIso8601(TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  // Digit by digit: this runs for every date on hot paths, where snprintf showed up in profiles.
  std::string out = "0000-00-00T00:00:00+00:00";
  auto put = [&out](size_t at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      out[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(0, int(ymd.year()), 4);
  put(5, static_cast<int>(unsigned(ymd.month())), 2);
  put(8, static_cast<int>(unsigned(ymd.day())), 2);
  put(11, static_cast<int>(hms.hours().count()), 2);
  put(14, static_cast<int>(hms.minutes().count()), 2);
  put(17, static_cast<int>(hms.seconds().count()), 2);
  return out;
}

namespace {

// Reads exactly n digits at pos, advancing pos.
bool Digits(std::string_view s, size_t& pos, int n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<TimePoint> ParseIso8601(std::string_view s) {
  using namespace std::chrono;
  size_t pos = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(s, pos, 4, y) || !Expect(s, pos, '-') || !Digits(s, pos, 2, mo) ||
      !Expect(s, pos, '-') || !Digits(s, pos, 2, d))
    return std::nullopt;
  const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok()) return std::nullopt;
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!Digits(s, pos, 2, h) || !Expect(s, pos, ':') || !Digits(s, pos, 2, mi))
      return std::nullopt;
    if (pos < s.size() && s[pos] == ':' && (++pos, !Digits(s, pos, 2, sec))) return std::nullopt;
    if (pos < s.size() && s[pos] == '.') {  // fractional seconds are accepted and dropped
      ++pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int oh, om;
        if (!Digits(s, pos, 2, oh)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (!Digits(s, pos, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
      } else {
        return std::nullopt;
      }
    }
  }
  if (pos != s.size()) return std::nullopt;
  return TimePoint{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{sec} -
                   minutes{offset_minutes}};
}

}  // namespace sfapid
