#include "domain/level.h"

namespace sfapid {

const char* ToString(Level level) {
  switch (level) {
    case Level::kGreen:
      return "green";
    case Level::kYellow:
      return "yellow";
    case Level::kRed:
      return "red";
  }
  return "green";
}

std::optional<Level> ParseLevel(std::string_view text) {
  if (text == "green") return Level::kGreen;
  if (text == "yellow") return Level::kYellow;
  if (text == "red") return Level::kRed;
  return std::nullopt;
}

}  // namespace sfapid
