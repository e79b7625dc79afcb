// Percent-decoding of URL parts and form values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sfapid {

// Decodes %XX escapes (and '+' as a space when plus_is_space, as in forms and queries).
// Returns nullopt for a malformed escape such as "%4" or "%zz".
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

}  // namespace sfapid
