#include "api/site/static_files.h"

#include <fstream>
#include <sstream>

#include "http/errors.h"

namespace sfapid::site {

namespace {

std::string ContentType(const std::string& name) {
  auto ends = [&](const char* ext) {
    const std::string e(ext);
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".png")) return "image/png";
  if (ends(".json") || ends(".map")) return "application/json";
  return "application/octet-stream";
}

bool SafeRelativePath(const std::string& p) {
  if (p.empty() || p.front() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    const std::string seg = p.substr(start, end - start);
    if (seg.empty() || seg.front() == '.') return false;
    start = end + 1;
  }
  return p.find('\0') == std::string::npos;
}

}  // namespace

http::Response StaticFiles::Serve(const std::string& relative) {
  if (!SafeRelativePath(relative)) return http::NotFound();
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(relative); it != cache_.end()) return it->second;
  std::ifstream in(root_ + "/" + relative, std::ios::binary);
  if (!in) return http::NotFound();
  std::stringstream buf;
  buf << in.rdbuf();
  http::Response r = http::Response::Text(200, buf.str(), ContentType(relative));
  r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  cache_[relative] = r;
  return r;
}

}  // namespace sfapid::site
