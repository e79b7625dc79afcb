// A RunAs for unit tests of the core services. Users it was told about resolve to this process's
// own account (no privilege change: the security properties are WorkerRunAs's, tested by the
// integration suite); others are refused as UserMap refuses them. Call answers from a handler the
// test sets and records each request; the Start* calls record what was asked and run a real
// process as this user, so that WatchProcess, limits and cancellation act on a real child.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "backends/runas/run_as.h"

namespace sfapid::testing {

class FakeRunAs : public RunAs {
 public:
  struct CallRecord {
    std::string account;
    boost::json::object request;
    std::string input;
    std::size_t body_size_limit = 0;
  };
  struct ProgramRecord {
    std::string account;
    std::vector<std::string> argv;
    boost::json::array paths;
  };
  struct CopyRecord {
    std::string account, source, target;
    boost::json::array source_roots, target_roots;
  };
  using CallHandler = std::function<Result<WorkerReply>(const boost::json::object& request,
                                                        std::string_view input)>;

  // `api_user` acts as the account `account`, whose home is `home`.
  void AddUser(const std::string& api_user, const std::string& account, const std::string& home);
  // What Call answers; without one, every Call is Unavailable.
  void OnCall(CallHandler handler);

  Result<UnixIdentity> Resolve(const std::string& api_user) const override;
  Result<WorkerReply> Call(const UnixIdentity& who, const boost::json::object& request,
                           std::string_view input, std::size_t body_size_limit) override;
  // Runs `/bin/sh -c command`.
  Result<RunningCommand> Start(const UnixIdentity& who, const std::string& command) override;
  // Runs argv as given.
  Result<RunningCommand> StartProgram(const UnixIdentity& who, const std::vector<std::string>& argv,
                                      const boost::json::array& paths,
                                      const std::string& cwd = "") override;
  // Copies with cp, then reports the target's size as the worker does ("progress N").
  Result<RunningCommand> StartFileCopy(const UnixIdentity& who, const std::string& source,
                                       const boost::json::array& source_roots,
                                       const std::string& target,
                                       const boost::json::array& target_roots) override;

  // Opens the file in this process with the worker's own code (open_inside.h).
  Result<UserFile> OpenFile(const UnixIdentity& who, const std::string& path,
                            const boost::json::array& roots, fileops::OpenIntent intent) override;

  std::vector<CallRecord> calls() const;
  std::vector<std::string> commands() const;
  std::vector<ProgramRecord> programs() const;
  std::vector<CopyRecord> copies() const;

 private:
  Result<RunningCommand> Run(const std::vector<std::string>& argv);

  mutable std::mutex mu_;  // task workers call from their own threads
  std::map<std::string, UnixIdentity> users_;
  CallHandler on_call_;
  std::vector<CallRecord> calls_;
  std::vector<std::string> commands_;
  std::vector<ProgramRecord> programs_;
  std::vector<CopyRecord> copies_;
};

// A worker's answer: {"ok": true, ...extra} with `body` after it.
WorkerReply OkReply(boost::json::object extra = {}, std::string body = "");
// A worker's refusal, as file_ops.cpp words them: {"ok": false, "code", "error"}.
WorkerReply ErrorReply(const std::string& code, const std::string& error);

}  // namespace sfapid::testing
