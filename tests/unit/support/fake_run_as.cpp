#include "support/fake_run_as.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backends/runas/open_inside.h"
#include "util/spawn.h"

namespace sfapid::testing {

namespace json = boost::json;

void FakeRunAs::AddUser(const std::string& api_user, const std::string& account,
                        const std::string& home) {
  std::lock_guard lock(mu_);
  users_[api_user] = UnixIdentity{api_user, account, ::getuid(), ::getgid(), home};
}

void FakeRunAs::OnCall(CallHandler handler) {
  std::lock_guard lock(mu_);
  on_call_ = std::move(handler);
}

Result<UnixIdentity> FakeRunAs::Resolve(const std::string& api_user) const {
  std::lock_guard lock(mu_);
  auto it = users_.find(api_user);
  if (it == users_.end())
    return Status::PermissionDenied("user '" + api_user + "' has no Unix account here");
  return it->second;
}

Result<WorkerReply> FakeRunAs::Call(const UnixIdentity& who, const json::object& request,
                                    std::string_view input, std::size_t body_size_limit) {
  CallHandler handler;
  {
    std::lock_guard lock(mu_);
    calls_.push_back({who.account, request, std::string(input), body_size_limit});
    handler = on_call_;
  }
  if (!handler) return Status::Unavailable("the fake worker has no answer");
  return handler(request, input);
}

Result<RunningCommand> FakeRunAs::Start(const UnixIdentity&, const std::string& command) {
  {
    std::lock_guard lock(mu_);
    commands_.push_back(command);
  }
  return Run({"/bin/sh", "-c", command});
}

Result<RunningCommand> FakeRunAs::StartProgram(const UnixIdentity& who,
                                               const std::vector<std::string>& argv,
                                               const json::array& paths, const std::string&) {
  {
    std::lock_guard lock(mu_);
    programs_.push_back({who.account, argv, paths});
  }
  return Run(argv);
}

Result<RunningCommand> FakeRunAs::StartFileCopy(const UnixIdentity& who, const std::string& source,
                                                const json::array& source_roots,
                                                const std::string& target,
                                                const json::array& target_roots) {
  {
    std::lock_guard lock(mu_);
    copies_.push_back({who.account, source, target, source_roots, target_roots});
  }
  return Run({"/bin/sh", "-c", "cp -- \"$1\" \"$2\" && echo \"progress $(stat -c %s \"$2\")\"",
              "sh", source, target});
}

Result<UserFile> FakeRunAs::OpenFile(const UnixIdentity&, const std::string& path,
                                     const json::array& roots, fileops::OpenIntent intent) {
  std::vector<std::string> root_paths;
  for (const auto& r : roots)
    if (r.is_string()) root_paths.emplace_back(r.as_string());
  auto opened = fileops::OpenInside(path, root_paths, intent);
  if (!opened) return opened.status();
  const auto& st = opened->st;
  return UserFile{std::move(opened->fd), static_cast<int64_t>(st.st_size),
                  static_cast<int64_t>(st.st_dev), static_cast<int64_t>(st.st_ino),
                  static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

Result<RunningCommand> FakeRunAs::Run(const std::vector<std::string>& argv) {
  // Its own session, as a worker's command has: RunAs::Signal reaches its whole group.
  auto child = SpawnPiped(
      {.argv = argv, .env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}, .new_session = true});
  if (!child) return child.status();
  return RunningCommand{child->pid, child->out_fd, child->err_fd};
}

std::vector<FakeRunAs::CallRecord> FakeRunAs::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}
std::vector<std::string> FakeRunAs::commands() const {
  std::lock_guard lock(mu_);
  return commands_;
}
std::vector<FakeRunAs::ProgramRecord> FakeRunAs::programs() const {
  std::lock_guard lock(mu_);
  return programs_;
}
std::vector<FakeRunAs::CopyRecord> FakeRunAs::copies() const {
  std::lock_guard lock(mu_);
  return copies_;
}

WorkerReply OkReply(json::object extra, std::string body) {
  extra["ok"] = true;
  return WorkerReply{std::move(extra), std::move(body)};
}

WorkerReply ErrorReply(const std::string& code, const std::string& error) {
  return WorkerReply{json::object{{"ok", false}, {"code", code}, {"error", error}}, ""};
}

}  // namespace sfapid::testing
