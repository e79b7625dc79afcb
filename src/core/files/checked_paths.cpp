#include "core/files/checked_paths.h"

#include <boost/json/object.hpp>

namespace sfapid {

std::optional<std::string> PathProblem(const std::string& path) {
  if (path.find('\0') != std::string::npos) return std::string("the path contains a NUL byte");
  if (path.empty() || path.front() != '/') {
    std::string why = "'";
    why += path;
    why += "': the path must be absolute";
    return why;
  }
  return std::nullopt;
}

boost::json::array CheckedPaths(const std::vector<std::string>& paths,
                                const boost::json::array& roots) {
  boost::json::array checked;
  for (const auto& p : paths)
    checked.emplace_back(boost::json::object{{"path", p}, {"roots", roots}});
  return checked;
}

}  // namespace sfapid
