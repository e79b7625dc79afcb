#include "core/files/content_slice.h"

#include <algorithm>
#include <charconv>

#include "core/files/file_programs.h"

namespace sfapid {

namespace {

// "--bytes=" / "--lines=", a sign, and N (or N + 1: tail's +K counts from 1).
std::string CountOption(const SliceRequest& r, const char* sign, bool plus_one) {
  const bool bytes = r.bytes.has_value();
  uint64_t n = static_cast<uint64_t>(bytes ? *r.bytes : *r.lines);
  if (plus_one) ++n;  // from an int64_t: cannot wrap
  std::string option = bytes ? "--bytes=" : "--lines=";
  if (r.skip) option += sign;
  option += std::to_string(n);
  return option;
}

}  // namespace

Status CheckSliceRequest(const SliceRequest& r, int64_t min) {
  if (r.bytes.has_value() == r.lines.has_value())
    return Status::InvalidField("bytes", "give exactly one of bytes and lines");
  const char* field = r.bytes ? "bytes" : "lines";
  if (*(r.bytes ? r.bytes : r.lines) < min) {
    std::string why = field;
    why += " must be at least ";
    why += std::to_string(min);
    return Status::InvalidField(field, why);
  }
  return Status::Ok();
}

std::vector<std::string> HeadArgv(const std::string& path, const SliceRequest& r) {
  return {programs::kHead, CountOption(r, "-", false), "--", path};
}

std::vector<std::string> TailArgv(const std::string& path, const SliceRequest& r) {
  return {programs::kTail, CountOption(r, "+", r.skip), "--", path};
}

std::vector<std::string> CountArgv(const std::string& path, bool lines) {
  return {programs::kWc, lines ? "--lines" : "--bytes", "--", path};
}

std::optional<int64_t> ParseCount(std::string_view output) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(output.data(), output.data() + output.size(), n);
  if (ec != std::errc() || end == output.data() || n < 0) return std::nullopt;
  return n;
}

Status CheckView(int64_t offset, int64_t size) {
  if (offset < 0) return Status::InvalidField("offset", "offset must be 0 or more");
  if (size < 1 || size > kOpsSizeLimit) {
    std::string why = "size must be between 1 and ";
    why += std::to_string(kOpsSizeLimit);
    why += " bytes (5 MiB)";
    return Status::InvalidField("size", why);
  }
  return Status::Ok();
}

std::vector<std::string> ViewArgv(const std::string& path, int64_t offset, int64_t size) {
  // dd takes no "--"; its operand "if=/..." is never an option. 64 KiB reads, not 512 bytes.
  std::string input = "if=", skip = "skip=", count = "count=";
  input += path;
  skip += std::to_string(offset);
  count += std::to_string(size);
  return {programs::kDd, input,        "iflag=skip_bytes,count_bytes", skip, count,
          "bs=65536",    "status=none"};
}

int64_t CountLines(std::string_view content) {
  const auto newlines = static_cast<int64_t>(std::count(content.begin(), content.end(), '\n'));
  return newlines + (!content.empty() && content.back() != '\n' ? 1 : 0);
}

ByteSlice SliceAt(std::string content, bool lines, int64_t start) {
  const int64_t length = lines ? CountLines(content) : static_cast<int64_t>(content.size());
  return ByteSlice{std::move(content), start, start + length, lines};
}

ByteSlice SliceAtEnd(std::string content, bool lines, int64_t counted) {
  const int64_t length = lines ? CountLines(content) : static_cast<int64_t>(content.size());
  // wc counts newlines; tail counts a last line without one too.
  const int64_t total = counted + (lines && !content.empty() && content.back() != '\n' ? 1 : 0);
  const int64_t end = std::max(total, length);
  return ByteSlice{std::move(content), end - length, end, lines};
}

}  // namespace sfapid
