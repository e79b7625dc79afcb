// Random (version 4) UUIDs from OpenSSL's generator: ids users see for transfers and callback
// deliveries, which must not be guessable.
#pragma once

#include <string>

namespace sfapid {

// "3f2b8c1e-9d4a-4f0e-8b7a-2c5d6e7f8a9b"
std::string NewUuid();

}  // namespace sfapid
