#include "backends/runas/run_as.h"

#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "util/process_cgroup.h"

namespace sfapid {

Status WorkerReply::ToStatus() const {
  if (ok()) return Status::Ok();
  const auto* code = header.if_contains("code");
  if (code && *code == "not_found") return Status::NotFound(error());
  if (code && *code == "permission_denied") return Status::PermissionDenied(error());
  if (code && *code == "invalid_argument") return Status::InvalidArgument(error());
  return Status::Unavailable(error());
}

std::string FramedRequest(boost::json::object request, std::string_view input) {
  request["input_size"] = static_cast<int64_t>(input.size());
  std::string framed = boost::json::serialize(request);
  framed += '\n';
  framed += input;
  return framed;
}

Result<WorkerReply> WorkerReply::Parse(std::string_view header_line, std::string body) {
  boost::system::error_code ec;
  boost::json::value header = boost::json::parse(header_line, ec);
  if (ec || !header.is_object())
    return Status::Unavailable("the worker answered something unreadable");
  WorkerReply reply{std::move(header.as_object()), std::move(body)};
  if (const boost::json::value* ok = reply.header.if_contains("ok"); !ok || !ok->is_bool())
    return Status::Unavailable("the worker's answer has no \"ok\"");
  if (const boost::json::value* code = reply.header.if_contains("code");
      code && *code == "internal")
    return Status::Internal(reply.error());
  return reply;
}

void RunAs::Signal(pid_t pid, int signal) {
  if (pid <= 0) return;
  ::kill(-pid, signal);
  ::kill(pid, signal);
}

void RunAs::Signal(const RunningCommand& command, int signal) {
  Signal(command.pid, signal);
  if (!command.cgroup.empty()) ProcessCgroup::Existing(command.cgroup).Signal(signal);
}

void RunAs::EndAll(const RunningCommand& command) {
  Signal(command.pid, SIGKILL);
  if (!command.cgroup.empty()) ProcessCgroup::Existing(command.cgroup).KillAndRemove();
}

}  // namespace sfapid
