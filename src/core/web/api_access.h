// Whether a user may have API clients ("enabled for the API"), and the requests of those who are
// not. Operators enable and disable users (`sfapid user enable|disable`) and decide requests
// (`sfapid access list|approve|deny`); users without a decision follow [web] enable_by_default.
// Disabling a user revokes every client of theirs at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "store/auth_store.h"
#include "store/web_store.h"

namespace sfapid {

struct AccessState {
  bool enabled = false;
  std::string why;                       // for the page: who decided, or the default
  std::optional<AccessRequest> request;  // the newest request, when any
};

class ApiAccess {
 public:
  ApiAccess(const WebConfig& config, WebStore& store, AuthStore& audit)
      : config_(config), store_(store), audit_(audit) {}

  Result<AccessState> StateOf(const std::string& user);
  // Only whether the user is enabled, and why (no requests read): for a change that needs it.
  Result<AccessState> EnablementOf(const std::string& user);
  Status Enable(const std::string& user, const std::string& by);
  // Returns the ids of the clients revoked.
  Result<std::vector<std::string>> Disable(const std::string& user, const std::string& by);

  // A user who is not enabled asks for access (reason: up to 1000 characters).
  Result<AccessRequest> Request(const std::string& user, const std::string& reason,
                                const std::string& ip);
  Result<std::vector<AccessRequest>> List(const std::string& state) {
    return store_.ListAccessRequests(state, "");
  }
  Result<AccessRequest> Decide(int64_t id, bool approve, const std::string& by,
                               const std::string& note);

 private:
  void Audit(const std::string& user, const std::string& ip, const std::string& outcome,
             const std::string& detail);
  const WebConfig& config_;
  WebStore& store_;
  AuthStore& audit_;
};

}  // namespace sfapid
