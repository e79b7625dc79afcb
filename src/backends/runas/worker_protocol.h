// What the worker's parts share (worker.cpp, worker_exec.cpp): replying on stdout in the worker
// protocol, and reading the server's request fields. Internal to the worker process.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sfapid::worker {

// Replies {"ok": false, "code": "internal", ...} and exits: the request was not sfapid's.
[[noreturn]] void Die(const std::string& why);

// A field the server always sends; without it the request is not sfapid's and is refused whole.
template <typename T>
T Need(Result<T> field) {
  if (!field) Die("worker: malformed request: " + field.status().message());
  return std::move(field).value();
}

// The reply line, with "body_size" when a body follows it, then the body; with `fd` attached to
// its first byte when fd >= 0 (stdout is then a Unix socket).
void Reply(boost::json::object header, std::string_view body = "", int fd = -1);
void ReplyStatus(const Status& s);

// The roots a path must be inside; empty (nothing is inside) when missing.
std::vector<std::string> Roots(const boost::json::object& req, const char* field = "roots");

}  // namespace sfapid::worker
