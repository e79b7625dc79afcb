// SHA-256 of a file's first `size` bytes through an open descriptor (pread: the descriptor's
// offset is left alone), for checking a finished upload against the checksum its client sent.
#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace sfapid {

// Lowercase hex; an error when the file is shorter than size or cannot be read.
Result<std::string> Sha256OfFile(int fd, int64_t size);

}  // namespace sfapid
