// SHA-256 over bytes as they come, and over a file's bytes through an open descriptor (pread: the
// descriptor's offset is left alone), for checking a finished upload against the checksum its
// client sent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sfapid {

class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::string_view bytes);
  // Starts again from nothing.
  void Reset();
  // Adds the file's bytes [from, to); an error when the file is shorter or cannot be read.
  Status UpdateFromFile(int fd, int64_t from, int64_t to);
  // Lowercase hex of everything so far; the stream can go on afterwards.
  std::string Hex() const;

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

// SHA-256 of a file's first `size` bytes, lowercase hex.
Result<std::string> Sha256OfFile(int fd, int64_t size);

}  // namespace sfapid
