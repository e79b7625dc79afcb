// Base64 (RFC 4648): the standard alphabet for file downloads, the URL-safe one without padding for
// JOSE values (JWK members, JWT parts).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sfapid {

std::string Base64Encode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);
// Accepts either alphabet, with or without padding; nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace sfapid
