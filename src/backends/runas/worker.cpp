#include "backends/runas/worker.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "backends/runas/drop_privileges.h"
#include "backends/runas/file_copy.h"
#include "backends/runas/file_ops.h"
#include "backends/runas/listing_codec.h"
#include "backends/runas/open_inside.h"
#include "util/fd_passing.h"
#include "util/json_fields.h"
#include "util/process_cgroup.h"
#include "util/write_all.h"

namespace sfapid {

namespace json = boost::json;

namespace {

[[noreturn]] void Die(const std::string& why) {
  const std::string line =
      json::serialize(json::object{{"ok", false}, {"code", "internal"}, {"error", why}}) + "\n";
  (void)!::write(1, line.data(), line.size());
  std::_Exit(3);
}

void DropTo(const passwd& pw) {
  if (Status s = DropPrivileges(pw); !s.ok()) Die("worker: " + s.message());
}

// A field the server always sends; without it the request is not sfapid's and is refused whole.
template <typename T>
T Need(Result<T> field) {
  if (!field) Die("worker: malformed request: " + field.status().message());
  return std::move(field).value();
}

Result<int64_t> SizeField(const json::object& req, std::string_view key) {
  auto n = IntField(req, key);
  if (n && *n < 0) return Status::InvalidArgument("field '" + std::string(key) + "' is negative");
  return n;
}

void Reply(const json::object& header, const std::string& body = "") {
  std::string out = json::serialize(header) + "\n";
  out += body;
  if (!WriteAll(1, out)) std::_Exit(4);
}

void ReplyStatus(const Status& s) {
  const char* code = s.code() == Code::kNotFound           ? "not_found"
                     : s.code() == Code::kPermissionDenied ? "permission_denied"
                     : s.code() == Code::kInvalidArgument  ? "invalid_argument"
                                                           : "unavailable";
  Reply({{"ok", false}, {"code", code}, {"error", s.message()}});
}

std::vector<std::string> Roots(const json::object& req, const char* field = "roots") {
  std::vector<std::string> roots;
  if (auto* r = req.if_contains(field); r && r->is_array())
    for (const auto& v : r->as_array())
      if (v.is_string()) roots.emplace_back(v.as_string());
  return roots;  // empty: nothing is inside (config validation never lets it be empty)
}

// Replaces this process with `bash -c command` in the user's home, with a clean environment and
// its own session, so the server can stop the whole process group.
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

// Replaces this process with a program run directly (no shell: its arguments are data, never
// parsed), after checking that every path it will touch is inside that path's roots.
[[noreturn]] void ExecArgv(const passwd& pw, const json::object& req) {
  for (const auto& item : *Need(ArrayField(req, "paths"))) {
    if (!item.is_object()) Die("worker: malformed request: a path is not an object");
    const json::object& p = item.as_object();
    if (Status s = fileops::CheckRoots(Need(StringField(p, "path")), Roots(p)); !s.ok()) {
      std::fprintf(stderr, "sfapid: %s\n", s.message().c_str());
      std::_Exit(126);
    }
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

// A same-host file copy: progress lines "progress <bytes>" on stdout, errors on stderr (exit 1).
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

// Creates the missing folders above path, readable by the user alone.
void MakePrivateParents(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1))
    ::mkdir(path.substr(0, slash).c_str(), 0700);
}

// Opens a file for the server to stream through and hands it over: the reply line goes with the
// descriptor over stdout, which the server made a Unix socket for this.
void OpenFileOp(const json::object& req, const std::string& path) {
  const std::string intent = Need(StringField(req, "intent"));
  auto opened = fileops::OpenInside(path, Roots(req), fileops::IntentNamed(intent));
  if (!opened) return ReplyStatus(opened.status());
  const json::object header{
      {"ok", true},
      {"size", static_cast<int64_t>(opened->st.st_size)},
      {"dev", static_cast<int64_t>(opened->st.st_dev)},
      {"ino", static_cast<int64_t>(opened->st.st_ino)},
      {"mtime_ns",
       static_cast<int64_t>(opened->st.st_mtim.tv_sec) * 1000000000 + opened->st.st_mtim.tv_nsec}};
  if (!SendWithFd(1, json::serialize(header) + "\n", opened->fd.get()).ok()) std::_Exit(4);
}

}  // namespace

int RunWorker(const std::string& account, const std::string& cgroup) {
  const pid_t server = ::getppid();
  const passwd* found = ::getpwnam(account.c_str());
  if (!found) Die("worker: no account " + account);
  const passwd pw = *found;  // getpwnam's buffer is reused by later look-ups
  const std::string dir = pw.pw_dir ? pw.pw_dir : "/";
  const std::string shell = pw.pw_shell ? pw.pw_shell : "";
  const std::string name = pw.pw_name;
  passwd self = pw;
  self.pw_dir = const_cast<char*>(dir.c_str());
  self.pw_shell = const_cast<char*>(shell.c_str());
  self.pw_name = const_cast<char*>(name.c_str());
  // While still root: everything the command starts, also with setsid, stays in its cgroup, so
  // the server ends it all with the task. Without one (no cgroup v2) the process group does.
  if (!cgroup.empty()) ProcessCgroup::Existing(cgroup).Enter();
  DropTo(self);
  // If sfapid dies, so does what it started for the user: a task it can no longer watch must not
  // go on writing (a transfer would finish while its record says FAILED). Set after the uid
  // change, which clears it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != server) std::_Exit(5);

  std::string line;
  if (!std::getline(std::cin, line)) Die("worker: no request");
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec || !v.is_object()) Die("worker: malformed request");
  const json::object& req = v.as_object();
  const std::string op = Need(StringField(req, "op"));
  const std::string path = req.contains("path") ? Need(StringField(req, "path")) : "";

  if (op == "exec") Exec(self, Need(StringField(req, "command")));
  if (op == "exec_argv") ExecArgv(self, req);
  if (op == "copy_file") CopyFileOp(req);

  // A job script sfapid writes for an inline submission lives in a private folder it creates.
  if (op == "write_script") MakePrivateParents(path);
  if (Status s = fileops::CheckRoots(path, Roots(req)); !s.ok()) {
    ReplyStatus(s);
    return 0;
  }
  if (op == "open") {
    OpenFileOp(req, path);
  } else if (op == "commit_part") {
    const Status s = fileops::CommitPart(path, Need(StringField(req, "target")), Roots(req));
    if (!s.ok())
      ReplyStatus(s);
    else
      Reply({{"ok", true}});
  } else if (op == "remove_part") {
    const Status s = fileops::RemovePart(path, Roots(req));
    if (!s.ok())
      ReplyStatus(s);
    else
      Reply({{"ok", true}});
  } else if (op == "ls") {
    auto entries = fileops::List(path, Roots(req));
    if (!entries)
      ReplyStatus(entries.status());
    else
      Reply({{"ok", true}, {"entries", EncodeListing(*entries)}});
  } else if (op == "read") {
    auto data =
        fileops::Read(path, Roots(req), static_cast<size_t>(Need(SizeField(req, "max_bytes"))));
    if (!data)
      ReplyStatus(data.status());
    else
      Reply({{"ok", true}, {"size", static_cast<int64_t>(data->size())}}, *data);
  } else if (op == "write" || op == "write_script") {
    const auto size = static_cast<size_t>(Need(SizeField(req, "size")));
    std::string content(size, '\0');
    std::cin.read(content.data(), static_cast<std::streamsize>(size));
    if (static_cast<size_t>(std::cin.gcount()) != size) Die("worker: upload content was cut short");
    // A job script is the user's alone and executable.
    const Status s =
        fileops::Write(path, content, Roots(req),
                       op == "write_script" ? std::optional<mode_t>(0700) : std::nullopt);
    if (!s.ok())
      ReplyStatus(s);
    else
      Reply({{"ok", true}});
  } else {
    Die("worker: unknown operation '" + op + "'");
  }
  return 0;
}

}  // namespace sfapid
