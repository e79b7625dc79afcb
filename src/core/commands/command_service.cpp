#include "core/commands/command_service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "core/commands/command_task_result.h"
#include "core/files/system_with_files.h"
#include "core/tasks/process_watch.h"

namespace sfapid {

namespace {

// A command task's request (TaskRecord::request): {"command": "..."}; user and system are the
// task's own.
std::string CommandRequest(const std::string& command) {
  return boost::json::serialize(boost::json::object{{"command", command}});
}

Result<std::string> CommandOf(const TaskRecord& task) {
  boost::system::error_code ec;
  boost::json::value request = boost::json::parse(task.request, ec);
  const boost::json::value* command =
      ec || !request.is_object() ? nullptr : request.as_object().if_contains("command");
  if (!command || !command->is_string())
    return Status::Internal("its stored request is not a command's");
  return std::string(command->as_string());
}

}  // namespace

CommandService::CommandService(const std::vector<SystemConfig>& systems,
                               const UtilitiesConfig& utilities, RunAs& runas, TaskEngine& tasks)
    : systems_(systems), utilities_(utilities), runas_(runas), tasks_(tasks) {
  tasks_.OnResume("command", [this](const TaskRecord& task) -> Result<TaskWork> {
    if (auto system = SystemWithFiles(systems_, task.system); !system) return system.status();
    auto command = CommandOf(task);
    if (!command) return command.status();
    return WorkFor(task.owner, *command);
  });
}

Result<std::string> CommandService::Run(const std::string& user, const std::string& system,
                                        const std::string& command,
                                        const std::string& idempotency_token) {
  auto s = SystemWithFiles(systems_, system);
  if (!s) return s.status();
  if (command.empty()) return Status::InvalidArgument("executable must not be empty");
  if (command.find('\0') != std::string::npos)
    return Status::InvalidArgument("executable contains a NUL byte");
  auto work = WorkFor(user, command);
  if (!work) return work.status();
  return tasks_.Submit(user, "command", system, std::move(*work),
                       {CommandRequest(command), idempotency_token});
}

Result<TaskWork> CommandService::WorkFor(const std::string& user, const std::string& command) {
  auto who = runas_.Resolve(user);
  if (!who) return who.status();
  return TaskWork(
      [this, who = *who, command](TaskContext& ctx) { return Execute(who, command, ctx); });
}

TaskOutcome CommandService::Execute(const UnixIdentity& who, const std::string& command,
                                    TaskContext& ctx) {
  // From here on it must not run again after a restart: it may have run.
  if (Status noted = ctx.Checkpoint("started"); !noted.ok())
    return {"failed", CommandTaskResult(false, "", "sfapid: " + noted.message(), std::nullopt)};
  auto started = runas_.Start(who, command);
  if (!started)
    return {"failed", CommandTaskResult(false, "", started.status().message(), std::nullopt)};
  const UtilitiesConfig& u = utilities_;
  WatchLimits limits;
  limits.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(u.command_timeout_seconds * 1000));
  limits.max_output_bytes = u.command_output_max_bytes;
  limits.term_grace = std::chrono::milliseconds(500);

  std::string out, err;
  bool changed = false;
  auto last_partial = std::chrono::steady_clock::now();
  const WatchOutcome outcome = WatchProcess(
      *started, ctx, limits,
      [&](int stream, std::string_view data) {
        // Past the cap the rest is dropped: the result stays a readable size.
        const std::size_t room = u.command_output_max_bytes -
                                 std::min(u.command_output_max_bytes, out.size() + err.size());
        (stream == 1 ? out : err).append(data.substr(0, room));
        changed = true;
      },
      [&] {
        // Partial output for clients that poll the task, a few updates a second at most.
        if (changed &&
            std::chrono::steady_clock::now() - last_partial > std::chrono::milliseconds(250) &&
            !ctx.cancelled()) {
          ctx.SetPartial(CommandTaskResult(true, out, err, std::nullopt));
          last_partial = std::chrono::steady_clock::now();
          changed = false;
        }
      });

  std::string stopped_because;
  if (outcome.reason == WatchOutcome::kTimedOut)
    stopped_because = "sfapid: the command ran longer than " +
                      std::to_string(static_cast<int64_t>(u.command_timeout_seconds)) +
                      " seconds and was stopped";
  else if (outcome.reason == WatchOutcome::kOutputCapped)
    stopped_because = "sfapid: the command wrote more than " +
                      std::to_string(u.command_output_max_bytes) +
                      " bytes of output and was stopped";
  if (!stopped_because.empty()) {
    if (!err.empty() && err.back() != '\n') err.push_back('\n');
    err.append(stopped_because);
    return {"failed", CommandTaskResult(false, out, err, outcome.exit_code)};
  }
  return {"completed", CommandTaskResult(outcome.exit_code == 0, out, err, outcome.exit_code)};
}

}  // namespace sfapid
