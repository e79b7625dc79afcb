// The #SBATCH lines of a batch script, read as sbatch reads them: after the #! line, up to the
// first command; each line's words split as a shell would for simple quoting, a '#' outside a
// word starting a comment. Shared by the local scheduler's option parser and by the account check
// that runs before any scheduler sees the script.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sfapid {

// Calls `words` with each directive line's words; stops early when it returns false.
void ForEachDirective(std::string_view script,
                      const std::function<bool(const std::vector<std::string>&)>& words);

// A directive line's words ("-J 'a b' # note" -> {"-J", "a b"}).
std::vector<std::string> SplitDirectiveWords(std::string_view line);

// The account the directives name (-A x, -Ax, --account=x, --account x, or -A at the end of a
// cluster of short flags such as -HA x; the last one wins), judging no other option: a script
// with options some scheduler does not know still says which account it charges.
std::optional<std::string> DirectiveAccount(std::string_view script);

// The value of any one option the same way: `short_flag` ('\0' for none) and the long name
// without its dashes ("reservation"); the last one wins.
std::optional<std::string> DirectiveValue(std::string_view script, char short_flag,
                                          std::string_view long_name);

}  // namespace sfapid
