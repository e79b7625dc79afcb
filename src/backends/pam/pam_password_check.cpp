#include "backends/pam/pam_password_check.h"

#include <security/pam_appl.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>

namespace sfapid {

namespace {

// Answers every prompt that hides its input with the password; other prompts get nothing. The
// replies are malloc'ed because PAM frees them.
int Converse(int count, const struct pam_message** messages, struct pam_response** replies,
             void* password) {
  if (count <= 0 || count > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  auto* out = static_cast<pam_response*>(std::calloc(count, sizeof(pam_response)));
  if (!out) return PAM_BUF_ERR;
  for (int i = 0; i < count; ++i) {
    if (messages[i]->msg_style == PAM_PROMPT_ECHO_OFF) {
      out[i].resp = ::strdup(static_cast<const char*>(password));
      if (!out[i].resp) {
        for (int j = 0; j < i; ++j) std::free(out[j].resp);
        std::free(out);
        return PAM_BUF_ERR;
      }
    }
  }
  *replies = out;
  return PAM_SUCCESS;
}

}  // namespace

Status PamPasswordCheck::Check(const std::string& account, const std::string& password) {
  const Status refused = Status::Unauthenticated("wrong user name or password");
  if (account.empty() || password.empty() || password.find('\0') != std::string::npos)
    return refused;
  struct pam_conv conv = {Converse, const_cast<char*>(password.c_str())};
  pam_handle_t* handle = nullptr;
  int rc = ::pam_start(service_.c_str(), account.c_str(), &conv, &handle);
  if (rc != PAM_SUCCESS) {
    spdlog::error("PAM service {} could not start: {}", service_, ::pam_strerror(handle, rc));
    return Status::Unavailable("the password check is not working; tell the operators");
  }
  rc = ::pam_authenticate(handle, PAM_DISALLOW_NULL_AUTHTOK);
  if (rc == PAM_SUCCESS) rc = ::pam_acct_mgmt(handle, PAM_DISALLOW_NULL_AUTHTOK);
  const std::string why = ::pam_strerror(handle, rc);
  ::pam_end(handle, rc);
  if (rc == PAM_SUCCESS) return Status::Ok();
  // The reason goes to the log (for operators), never to the caller: which of user name and
  // password was wrong is not theirs to learn. The password is never logged.
  spdlog::info("PAM ({}) refused {}: {}", service_, account, why);
  if (rc == PAM_NEW_AUTHTOK_REQD || rc == PAM_ACCT_EXPIRED)
    return Status::Unauthenticated(
        "your password or account has expired; renew it on a login node");
  return refused;
}

}  // namespace sfapid
