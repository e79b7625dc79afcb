#include "core/web/api_access.h"

#include "core/web/web_audit.h"
#include "util/utf8.h"

namespace sfapid {

void ApiAccess::Audit(const std::string& user, const std::string& ip, const std::string& outcome,
                      const std::string& detail) {
  WebAudit(audit_, user, ip, outcome, detail);
}

Result<AccessState> ApiAccess::StateOf(const std::string& user) {
  auto state = EnablementOf(user);
  if (!state) return state;
  auto requests = store_.ListAccessRequests("", user);
  if (!requests) return requests.status();
  if (!requests->empty()) state->request = requests->front();
  return state;
}

Result<AccessState> ApiAccess::EnablementOf(const std::string& user) {
  auto decided = store_.GetEnablement(user);
  if (!decided) return decided.status();
  AccessState state;
  if (*decided) {
    state.enabled = (*decided)->enabled;
    state.why = std::string(state.enabled ? "enabled" : "disabled") + " by " + (*decided)->by +
                " on " + FormatIso8601((*decided)->at);
  } else {
    state.enabled = config_.enable_by_default;
    state.why = state.enabled ? "every user of this facility is enabled"
                              : "you have not been enabled for the API yet";
  }
  return state;
}

Status ApiAccess::Enable(const std::string& user, const std::string& by) {
  if (user.empty()) return Status::InvalidArgument("a user name is needed");
  if (Status s = store_.EnableUser(user, by, Now()); !s.ok()) return s;
  Audit(user, "", "user-enabled", "by " + by);
  return Status::Ok();
}

Result<std::vector<std::string>> ApiAccess::Disable(const std::string& user,
                                                    const std::string& by) {
  if (user.empty()) return Status::InvalidArgument("a user name is needed");
  auto revoked = store_.DisableUser(user, by, Now());
  if (!revoked) return revoked;
  // Signed in on the web pages no more either: a disabled user's open page must not go on.
  auto ended = store_.DeleteUserSessions(user);
  if (!ended) return ended.status();
  std::string ids;
  for (const auto& id : *revoked) ids += " " + id;
  Audit(user, "", "user-disabled",
        "by " + by + "; clients revoked:" + (ids.empty() ? " none" : ids) +
            "; web sessions ended: " + std::to_string(*ended));
  return revoked;
}

Result<AccessRequest> ApiAccess::Request(const std::string& user, const std::string& reason,
                                         const std::string& ip) {
  if (reason.size() > 1000 || !IsValidUtf8(reason))
    return Status::InvalidField("reason", "the reason must be UTF-8 text of at most 1000 bytes");
  auto state = EnablementOf(user);
  if (!state) return state.status();
  if (state->enabled)
    return Status::FailedPrecondition("you are enabled for the API already; no request is needed");
  auto request = store_.CreateAccessRequest(user, reason, Now());
  if (!request) return request;
  Audit(user, ip, "access-requested", "request " + std::to_string(request->id));
  return request;
}

Result<AccessRequest> ApiAccess::Decide(int64_t id, bool approve, const std::string& by,
                                        const std::string& note) {
  if (note.size() > 1000) return Status::InvalidArgument("the note is at most 1000 bytes");
  auto decided = store_.DecideAccessRequest(id, approve, by, note, Now());
  if (!decided) return decided;
  Audit(decided->user, "", approve ? "access-approved" : "access-denied",
        "request " + std::to_string(id) + " by " + by);
  return decided;
}

}  // namespace sfapid
