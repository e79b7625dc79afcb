// Serves the static assets under the web folder (Swagger UI and its glue), read once and kept in
// memory. Only plain file names below the folder are served: no "..", no hidden files.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "http/message.h"

namespace sfapid::site {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}

  // relative: e.g. "swagger/index.html". 404 for anything missing or not allowed.
  http::Response Serve(const std::string& relative);

 private:
  std::string root_;
  std::mutex mu_;
  std::map<std::string, http::Response> cache_;
};

}  // namespace sfapid::site
