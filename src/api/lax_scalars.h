// Booleans and whole numbers read from text the way pydantic (FastAPI) reads query and form values
// in lax mode, so sfapid accepts what the SFAPI clients send.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sfapid::api {

// true/false/1/0/yes/no/on/off/t/f/y/n, any case.
std::optional<bool> ParseBool(std::string_view text);
// A whole number as pydantic reads one ("12", " 12 "); nullopt otherwise.
std::optional<int64_t> ParseInt(std::string_view text);

}  // namespace sfapid::api
