// Splitting the comma lists users write ("1,2,3" in kwargs, partitions, states).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sfapid {

// The non-empty items between separators: "a,,b," -> {"a", "b"}.
std::vector<std::string> SplitList(std::string_view text, char separator = ',');

}  // namespace sfapid
