// What a job submission asks for (POST /compute/jobs, the IRI's launchJob), and how it is kept
// with its task (TaskRecord::request) so that a submission a restart stopped before it reached the
// scheduler is made again from it.
#pragma once

#include <string>
#include <vector>

#include "core/callbacks/callback_request.h"
#include "util/status.h"

namespace sfapid {

struct SubmitRequest {
  std::string user;
  std::string client_id;
  std::string system;
  std::string client_ip;  // for the audit log
  std::string job;        // a path, or the script itself
  bool is_path = false;
  std::vector<std::string> args;
  CallbackRequest callback;  // as the submitter wrote it; Submit has the callback service check it
  // The HTTP request's (TaskLaunch); not stored: a rerun has its task already.
  std::string idempotency_token;
};

// The request as a task keeps it: every field but user and system (the task's own) and the token.
std::string StoredSubmitRequest(const SubmitRequest& request);
// The request back from a task's owner, system and stored text.
Result<SubmitRequest> SubmitRequestFrom(const std::string& user, const std::string& system,
                                        const std::string& stored);

// A cancel task's request: the job id.
std::string StoredCancelRequest(const std::string& jobid);
Result<std::string> CancelJobIdFrom(const std::string& stored);

}  // namespace sfapid
