// Writing words of a POSIX shell command line (a generated batch script's lines): each word the
// shell reads back exactly as given, whatever it contains.
#pragma once

#include <string>
#include <string_view>

namespace sfapid {

// `s` in single quotes, a ' inside written '\'' ("it's" -> 'it'\''s'); '' for "".
std::string SingleQuote(std::string_view s);
// `s` bare when it has only characters no shell treats specially (letters, digits and
// "@%+=:,./_-"), else SingleQuote(s): generated lines stay readable.
std::string ShellWord(std::string_view s);
// Whether `s` may name a shell variable: a letter or '_', then letters, digits and '_'.
bool IsShellName(std::string_view s);

}  // namespace sfapid
