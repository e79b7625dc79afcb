#include "util/shell_words.h"

namespace sfapid {

namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string SingleQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";  // close the quotes, an escaped quote, open them again
    else
      out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string ShellWord(std::string_view s) {
  if (s.empty()) return "''";
  for (char c : s)
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && std::string_view("@%+=:,./_-").find(c) == s.npos)
      return SingleQuote(s);
  return std::string(s);
}

bool IsShellName(std::string_view s) {
  if (s.empty() || IsAsciiDigit(s.front())) return false;
  for (char c : s)
    if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '_') return false;
  return true;
}

}  // namespace sfapid
