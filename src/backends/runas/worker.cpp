#include "backends/runas/worker.h"

#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "backends/runas/drop_privileges.h"
#include "backends/runas/file_ops.h"
#include "backends/runas/listing_codec.h"
#include "backends/runas/open_inside.h"
#include "backends/runas/worker_exec.h"
#include "backends/runas/worker_protocol.h"
#include "util/fd_passing.h"
#include "util/fd_reader.h"
#include "util/json_fields.h"
#include "util/process_cgroup.h"
#include "util/write_all.h"

namespace sfapid {

namespace json = boost::json;

namespace worker {

void Die(const std::string& why) {
  const std::string line =
      json::serialize(json::object{{"ok", false}, {"code", "internal"}, {"error", why}}) + "\n";
  (void)!::write(1, line.data(), line.size());
  std::_Exit(3);
}

void Reply(json::object header, std::string_view body, int fd) {
  if (!body.empty()) header["body_size"] = static_cast<int64_t>(body.size());
  std::string out = json::serialize(header) + "\n";
  out += body;
  if (fd >= 0 ? !SendWithFd(1, out, fd).ok() : !WriteAll(1, out)) std::_Exit(4);
}

void ReplyStatus(const Status& s) {
  const char* code = s.code() == Code::kNotFound           ? "not_found"
                     : s.code() == Code::kPermissionDenied ? "permission_denied"
                     : s.code() == Code::kInvalidArgument  ? "invalid_argument"
                                                           : "unavailable";
  Reply({{"ok", false}, {"code", code}, {"error", s.message()}});
}

std::vector<std::string> Roots(const json::object& req, const char* field) {
  std::vector<std::string> roots;
  if (auto* r = req.if_contains(field); r && r->is_array())
    for (const auto& v : r->as_array())
      if (v.is_string()) roots.emplace_back(v.as_string());
  return roots;  // empty: nothing is inside (config validation never lets it be empty)
}

}  // namespace worker

namespace {

using worker::Die;
using worker::Need;
using worker::Reply;
using worker::ReplyStatus;
using worker::Roots;

// The longest request line the server sends (paths and roots; content follows the line).
constexpr std::size_t kMaxRequestLine = 1 << 20;

Result<int64_t> SizeField(const json::object& req, std::string_view key) {
  auto n = IntField(req, key);
  if (n && *n < 0) return Status::InvalidArgument("field '" + std::string(key) + "' is negative");
  return n;
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
  Reply(header, "", opened->fd.get());
}

// One file request (ls, read, write, open, ...): the answer goes to stdout. `input` is the
// content that came after the request line ("input_size" bytes).
void AnswerFileRequest(const json::object& req, const std::string& op, const std::string& input) {
  const std::string path = req.contains("path") ? Need(StringField(req, "path")) : "";
  // Before a program starts as the user (spawn_as_user.h): the paths it will be given.
  if (op == "check_paths") {
    const Status s = worker::CheckPaths(req);
    return s.ok() ? Reply({{"ok", true}}) : ReplyStatus(s);
  }
  // A job script sfapid writes for an inline submission lives in a private folder it creates.
  if (op == "write_script") MakePrivateParents(path);
  if (Status s = fileops::CheckRoots(path, Roots(req)); !s.ok()) return ReplyStatus(s);
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
    if (input.size() != static_cast<size_t>(Need(SizeField(req, "size"))))
      Die("worker: upload content was cut short");
    // A job script is the user's alone and executable.
    const Status s = fileops::Write(
        path, input, Roots(req), op == "write_script" ? std::optional<mode_t>(0700) : std::nullopt);
    if (!s.ok())
      ReplyStatus(s);
    else
      Reply({{"ok", true}});
  } else {
    Die("worker: unknown operation '" + op + "'");
  }
}

// The next request: its line, and the "input_size" bytes after it. nullopt at the end of input.
struct Request {
  json::object fields;
  std::string op;
  std::string input;
};
std::optional<Request> ReadRequest(FdReader& in) {
  auto line = in.ReadLine(kMaxRequestLine);
  if (!line) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*line, ec);
  if (ec || !v.is_object()) Die("worker: malformed request");
  Request r{std::move(v.as_object()), "", ""};
  r.op = Need(StringField(r.fields, "op"));
  const int64_t input_size =
      r.fields.contains("input_size") ? Need(SizeField(r.fields, "input_size")) : 0;
  if (!in.ReadExactly(static_cast<std::size_t>(input_size), r.input))
    Die("worker: upload content was cut short");
  return r;
}

}  // namespace

int RunWorker(const std::string& account, const std::string& cgroup, bool serve) {
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
  if (!cgroup.empty() && !ProcessCgroup::Existing(cgroup).Enter())
    Die("worker: cannot enter the cgroup " + cgroup);
  if (Status s = DropPrivileges(self); !s.ok()) Die("worker: " + s.message());
  // If sfapid dies, so does what it started for the user: a task it can no longer watch must not
  // go on writing (a transfer would finish while its record says FAILED). Set after the uid
  // change, which clears it. Not for a serving worker: the signal follows the server *thread*
  // that started it, which is not the one that ends it; it ends when the server's end of its
  // socket closes, as it does when the server dies.
  if (!serve) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != server) std::_Exit(5);

  FdReader in(0);
  if (serve) {
    // A long-lived worker (user_worker_pool.h) says who it became, then answers file requests one
    // after another until the server closes its end.
    std::vector<gid_t> groups(static_cast<std::size_t>(std::max(::getgroups(0, nullptr), 0)));
    groups.resize(static_cast<std::size_t>(
        std::max(::getgroups(static_cast<int>(groups.size()), groups.data()), 0)));
    json::array group_list;
    for (gid_t g : groups) group_list.emplace_back(static_cast<int64_t>(g));
    Reply({{"ok", true},
           {"uid", static_cast<int64_t>(::getuid())},
           {"gid", static_cast<int64_t>(::getgid())},
           {"groups", std::move(group_list)}});
    while (auto r = ReadRequest(in)) {
      if (r->op == "exec" || r->op == "exec_argv" || r->op == "copy_file")
        Die("worker: '" + r->op + "' needs a worker of its own");
      AnswerFileRequest(r->fields, r->op, r->input);
    }
    return 0;
  }
  auto r = ReadRequest(in);
  if (!r) Die("worker: no request");
  if (r->op == "exec") worker::Exec(self, Need(StringField(r->fields, "command")));
  if (r->op == "exec_argv") worker::ExecArgv(self, r->fields);
  if (r->op == "copy_file") worker::CopyFileOp(r->fields);
  AnswerFileRequest(r->fields, r->op, r->input);
  return 0;
}

}  // namespace sfapid
