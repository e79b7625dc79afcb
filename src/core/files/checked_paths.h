// The paths a filesystem operation's program touches, as RunAs::StartProgram has the worker check
// them before the program runs: each inside the system's roots once ".." and every symlink are
// resolved (fileops::CheckRoots). Checked here first: a path is absolute, so that it never starts
// with '-' (no program can take it for an option) and means the same whatever the program's
// working folder.
#pragma once

#include <boost/json/array.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sfapid {

// Why `path` cannot be handed to a program ("'x': the path must be absolute"), or nullopt.
std::optional<std::string> PathProblem(const std::string& path);

// StartProgram's `paths`: {"path", "roots"} for each.
boost::json::array CheckedPaths(const std::vector<std::string>& paths,
                                const boost::json::array& roots);

}  // namespace sfapid
