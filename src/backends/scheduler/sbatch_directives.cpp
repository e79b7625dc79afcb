#include "backends/scheduler/sbatch_directives.h"

namespace sfapid {

namespace {

// sbatch's short options that take no value: the rest of a cluster ("-HA x") is more options.
bool ShortFlag(char c) {
  switch (c) {
    case 'h':
    case 'H':
    case 'k':
    case 'O':
    case 'Q':
    case 's':
    case 'v':
    case 'V':
    case 'W':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<std::string> SplitDirectiveWords(std::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : line) {
    if (quote) {
      if (c == quote)
        quote = 0;
      else
        cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;  // the rest of the line is a comment
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

void ForEachDirective(std::string_view script,
                      const std::function<bool(const std::vector<std::string>&)>& words) {
  size_t pos = script.find('\n');
  while (pos != std::string_view::npos && pos + 1 < script.size()) {
    const size_t start = pos + 1;
    pos = script.find('\n', start);
    std::string_view line = script.substr(start, pos == std::string_view::npos ? pos : pos - start);
    if (line.rfind("#SBATCH", 0) == 0) {
      if (!words(SplitDirectiveWords(line.substr(7)))) return;
      continue;
    }
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;  // blank or comment
    return;  // the first command: sbatch reads no further directives
  }
}

std::optional<std::string> DirectiveValue(std::string_view script, char short_flag,
                                          std::string_view long_name) {
  const std::string long_flag = "--" + std::string(long_name), long_eq = long_flag + "=";
  std::optional<std::string> value;
  ForEachDirective(script, [&](const std::vector<std::string>& words) {
    for (size_t i = 0; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w == long_flag) {
        if (i + 1 < words.size()) value = words[++i];
      } else if (w.rfind(long_eq, 0) == 0) {
        value = w.substr(long_eq.size());
      } else if (w.rfind("--", 0) == 0) {
        // Another long option; its value, if separate, is a word that does not start with '-'
        // and is skipped by the next turn's checks.
      } else if (w.size() >= 2 && w[0] == '-') {
        for (size_t c = 1; c < w.size(); ++c) {
          if (short_flag != '\0' && w[c] == short_flag) {
            if (c + 1 < w.size())
              value = w.substr(c + 1);
            else if (i + 1 < words.size())
              value = words[++i];
            break;
          }
          if (!ShortFlag(w[c])) {  // the rest (or the next word) is this option's value
            if (c + 1 == w.size()) ++i;
            break;
          }
        }
      }
    }
    return true;
  });
  return value;
}

std::optional<std::string> DirectiveAccount(std::string_view script) {
  return DirectiveValue(script, 'A', "account");
}

}  // namespace sfapid
