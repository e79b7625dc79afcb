// Sizes as operators write them ("500G", "1.5TiB", "1048576") and as users read them
// ("1.50 TiB"). Units are binary (K = 1024), as quota tools and `du -h` use them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sfapid {

// A whole number of bytes, or a number with K, M, G, T or P (optionally followed by "iB" or "B").
std::optional<int64_t> ParseByteSize(std::string_view text);

// "0 B", "512 B", "1.50 KiB", "20.00 TiB".
std::string FormatByteSize(double bytes);

}  // namespace sfapid
