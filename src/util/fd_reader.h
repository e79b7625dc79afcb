// Buffered reading of lines and exact byte counts from a descriptor (a pipe or a socket), for a
// process that takes framed requests on its stdin: a JSON line, then as many raw bytes as the line
// says. Unlike std::cin it never reads past what it is asked for into a hidden buffer that a second
// reader of the same descriptor would miss: everything read stays in this one object.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace sfapid {

class FdReader {
 public:
  explicit FdReader(int fd) : fd_(fd) {}

  // The next line without its '\n'; nullopt at the end of input, or when a line runs past
  // `max_bytes` (the caller treats both as the end of the conversation).
  std::optional<std::string> ReadLine(std::size_t max_bytes);
  // Exactly n bytes; false when the input ends first.
  bool ReadExactly(std::size_t n, std::string& out);

 private:
  bool Fill();  // reads more into buffer_; false at the end of input
  int fd_;
  std::string buffer_;
  std::size_t start_ = 0;  // buffer_[start_..] is not yet handed out
};

}  // namespace sfapid
