// What a job submitter asks to be told when the job ends (the callbackUrl, callbackEmail and
// callbackTimeout form fields), and the checks that keep it safe to act on later.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "config/config.h"
#include "util/status.h"

namespace sfapid {

struct CallbackRequest {
  std::string url;                        // empty: no HTTP callback
  std::string email;                      // empty: no mail
  std::optional<double> timeout_seconds;  // how long to retry; default callbacks.default_timeout
  bool empty() const { return url.empty() && email.empty(); }
};

// A CallbackRequest that passed ValidateCallbackRequest. Only that function makes one, so what
// takes one (CallbackService::Register) knows it is safe to act on without checking again.
class ValidCallbackRequest {
 public:
  const CallbackRequest& get() const { return request_; }
  const CallbackRequest* operator->() const { return &request_; }

 private:
  explicit ValidCallbackRequest(CallbackRequest r) : request_(std::move(r)) {}
  friend Result<ValidCallbackRequest> ValidateCallbackRequest(CallbackRequest r,
                                                              const CallbacksConfig& config);
  CallbackRequest request_;
};

// The one check of a callback request (an empty one passes): the first problem as an InvalidField
// naming callbackUrl, callbackEmail or callbackTimeout, with a message for the submitter.
Result<ValidCallbackRequest> ValidateCallbackRequest(CallbackRequest r,
                                                     const CallbacksConfig& config);

}  // namespace sfapid
