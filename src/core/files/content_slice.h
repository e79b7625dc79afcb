// head, tail and view for the IRI's filesystem operations: their command lines (coreutils' head,
// tail and wc, and dd for a byte range), and where the part they print lies in the file
// (FileContent's start_position and end_position), in bytes or in lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/files/path_results.h"
#include "util/status.h"

namespace sfapid {

// How much of a file: `bytes` or `lines` (exactly one). `skip` turns "the first N" (head) into
// "all but the last N", and "the last N" (tail) into "all but the first N".
struct SliceRequest {
  std::optional<int64_t> bytes, lines;
  bool skip = false;
};

// InvalidField on "bytes" (or "lines") unless exactly one is given, and at least `min`.
Status CheckSliceRequest(const SliceRequest& r, int64_t min);
// head --bytes=N | --bytes=-N | --lines=N | --lines=-N.
std::vector<std::string> HeadArgv(const std::string& path, const SliceRequest& r);
// tail --bytes=N | --bytes=+(N+1) | --lines=N | --lines=+(N+1): tail's +K starts at the Kth.
std::vector<std::string> TailArgv(const std::string& path, const SliceRequest& r);

// wc counting the file's bytes, or its newlines: where tail's last N start.
std::vector<std::string> CountArgv(const std::string& path, bool lines);
// wc's number; nullopt when the output does not start with one.
std::optional<int64_t> ParseCount(std::string_view output);

// InvalidField unless offset >= 0 and 1 <= size <= kOpsSizeLimit (path_results.h).
Status CheckView(int64_t offset, int64_t size);
// dd copying bytes [offset, offset + size): skip and count in bytes, whatever the block size.
std::vector<std::string> ViewArgv(const std::string& path, int64_t offset, int64_t size);

// Lines in `content`: its newlines, and a last line without one.
int64_t CountLines(std::string_view content);
// `content` found at `start` (bytes, or lines when `lines`): [start, start + its length).
ByteSlice SliceAt(std::string content, bool lines, int64_t start);
// `content`, the end of a file of `counted` bytes or newlines (CountArgv): where it starts is
// counted back from the end. A file growing meanwhile can make that approximate, never negative.
ByteSlice SliceAtEnd(std::string content, bool lines, int64_t counted);

}  // namespace sfapid
