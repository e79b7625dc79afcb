// Text that quotes a caller's input (a path, a claimed client id) on its way into a log or the
// audit log: one line, so that it cannot pass for another line there.
#pragma once

#include <string>
#include <string_view>

namespace sfapid {

// Control characters (newlines, tabs, escapes, DEL) become spaces.
inline std::string OneLine(std::string text) {
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return text;
}

// Whether `text` has no control character: a value that may go on one line of a file another
// program reads line by line (a batch script's directives) without starting another line there.
inline bool IsOneLine(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace sfapid
