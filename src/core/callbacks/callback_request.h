// What a job submitter asks to be told when the job ends (the callbackUrl, callbackEmail and
// callbackTimeout form fields), and the checks that keep it safe to act on later.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "util/status.h"

namespace sfapid {

struct CallbackRequest {
  std::string url;                        // empty: no HTTP callback
  std::string email;                      // empty: no mail
  std::optional<double> timeout_seconds;  // how long to retry; default callbacks.default_timeout
  bool empty() const { return url.empty() && email.empty(); }
};

// InvalidArgument with a message for the submitter; Ok for an empty request.
Status ValidateCallbackRequest(const CallbackRequest& r, const CallbacksConfig& config);

}  // namespace sfapid
