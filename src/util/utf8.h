// UTF-8 validation: download content that is not valid UTF-8 goes out base64-encoded.
#pragma once

#include <string_view>

namespace sfapid {

bool IsValidUtf8(std::string_view s);

}  // namespace sfapid
