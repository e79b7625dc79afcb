#include "util/fd_reader.h"

#include <unistd.h>

#include <cerrno>

namespace sfapid {

bool FdReader::Fill() {
  if (start_ > 0) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
}

std::optional<std::string> FdReader::ReadLine(std::size_t max_bytes) {
  std::size_t searched = start_;
  for (;;) {
    const std::size_t eol = buffer_.find('\n', searched);
    if (eol != std::string::npos) {
      std::string line = buffer_.substr(start_, eol - start_);
      start_ = eol + 1;
      return line;
    }
    if (buffer_.size() - start_ > max_bytes) return std::nullopt;
    searched = buffer_.size() - start_;  // offsets move when Fill drops what was handed out
    if (!Fill()) return std::nullopt;
    // Fill moved the unread bytes to the front: start_ is 0 now.
  }
}

bool FdReader::ReadExactly(std::size_t n, std::string& out) {
  while (buffer_.size() - start_ < n)
    if (!Fill()) return false;
  out.assign(buffer_, start_, n);
  start_ += n;
  return true;
}

}  // namespace sfapid
