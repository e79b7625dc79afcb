#include "backends/runas/worker_exec.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "backends/runas/file_copy.h"
#include "backends/runas/file_ops.h"
#include "backends/runas/worker_protocol.h"
#include "util/json_fields.h"

namespace sfapid::worker {

namespace json = boost::json;

[[noreturn]] void Exec(const passwd& pw, const std::string& command) {
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) ::dup2(devnull, 0);
  if (::chdir(pw.pw_dir) != 0) (void)!::chdir("/");
  ::setsid();
  const std::string home = std::string("HOME=") + pw.pw_dir,
                    user = std::string("USER=") + pw.pw_name,
                    logname = std::string("LOGNAME=") + pw.pw_name,
                    shell = std::string("SHELL=") +
                            (pw.pw_shell && *pw.pw_shell ? pw.pw_shell : "/bin/bash");
  const char* env[] = {home.c_str(),
                       user.c_str(),
                       logname.c_str(),
                       shell.c_str(),
                       "PATH=/usr/local/bin:/usr/bin:/bin",
                       "LANG=C.UTF-8",
                       nullptr};
  const char* argv[] = {"bash", "-c", command.c_str(), nullptr};
  ::execve("/bin/bash", const_cast<char* const*>(argv), const_cast<char* const*>(env));
  std::fprintf(stderr, "cannot run bash: %s\n", std::strerror(errno));
  std::_Exit(127);
}

Status CheckPaths(const json::object& req) {
  for (const auto& item : *Need(ArrayField(req, "paths"))) {
    if (!item.is_object()) Die("worker: malformed request: a path is not an object");
    const json::object& p = item.as_object();
    if (Status s = fileops::CheckRoots(Need(StringField(p, "path")), Roots(p)); !s.ok()) return s;
  }
  return Status::Ok();
}

[[noreturn]] void ExecArgv(const passwd& pw, const json::object& req) {
  if (Status s = CheckPaths(req); !s.ok()) {
    std::fprintf(stderr, "sfapid: %s\n", s.message().c_str());
    std::_Exit(126);
  }
  std::vector<std::string> args;
  for (const auto& a : *Need(ArrayField(req, "argv"))) {
    if (!a.is_string()) Die("worker: malformed request: an argument is not a string");
    args.emplace_back(a.as_string());
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) ::dup2(devnull, 0);
  // In the folder asked for, as the user (the worker has dropped privileges): one they cannot
  // enter is an error, not a silent fallback.
  const json::value* cwd = req.if_contains("cwd");
  if (cwd && cwd->is_string() && !cwd->as_string().empty()) {
    const std::string dir(cwd->as_string());
    if (::chdir(dir.c_str()) != 0) {
      std::fprintf(stderr, "sfapid: cannot enter %s: %s\n", dir.c_str(), std::strerror(errno));
      std::_Exit(126);
    }
  } else if (::chdir(pw.pw_dir) != 0) {
    (void)!::chdir("/");
  }
  ::setsid();
  const std::string home = std::string("HOME=") + pw.pw_dir,
                    user = std::string("USER=") + pw.pw_name;
  const char* env[] = {home.c_str(), user.c_str(), "PATH=/usr/local/bin:/usr/bin:/bin",
                       "LANG=C.UTF-8", nullptr};
  ::execve(argv[0], argv.data(), const_cast<char* const*>(env));
  std::fprintf(stderr, "sfapid: cannot run %s: %s\n", argv[0], std::strerror(errno));
  std::_Exit(127);
}

[[noreturn]] void CopyFileOp(const json::object& req) {
  const std::string source = Need(StringField(req, "source"));
  const std::string target = Need(StringField(req, "target"));
  const auto source_roots = Roots(req, "source_roots");
  const auto target_roots = Roots(req, "target_roots");
  for (auto [path, roots] : {std::pair{&source, &source_roots}, {&target, &target_roots}}) {
    if (Status s = fileops::CheckRoots(*path, *roots); !s.ok()) {
      std::fprintf(stderr, "sfapid: %s\n", s.message().c_str());
      std::_Exit(126);
    }
  }
  ::setsid();
  Status s = fileops::CopyFile(source, source_roots, target, target_roots, [](int64_t bytes) {
    const std::string line = "progress " + std::to_string(bytes) + "\n";
    (void)!::write(1, line.data(), line.size());
  });
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    std::_Exit(1);
  }
  std::_Exit(0);
}

}  // namespace sfapid::worker
