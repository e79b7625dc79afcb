// The Range header of a GET (RFC 9110 §14), for resuming downloads: one range of bytes is served
// as 206; a range past the end is 416; anything this server does not serve as a part (another
// unit, several ranges, a malformed header) is ignored, so the whole representation is sent, as
// the RFC allows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sfapid::http {

struct ByteRange {
  int64_t first = 0;
  int64_t last = 0;  // inclusive
  int64_t length() const { return last - first + 1; }
};

struct RangeAnswer {
  enum class Kind { kWhole, kPart, kUnsatisfiable } kind = Kind::kWhole;
  ByteRange range;  // kPart
};

RangeAnswer ParseRange(std::string_view header, int64_t size);

}  // namespace sfapid::http
