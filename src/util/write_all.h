// Writes all of `data` to a descriptor, through short writes and EINTR. False when the descriptor
// refuses more (a closed pipe, a full disk): errno says why.
#pragma once

#include <string_view>

namespace sfapid {

bool WriteAll(int fd, std::string_view data);

}  // namespace sfapid
