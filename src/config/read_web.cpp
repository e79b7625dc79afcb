// [web]: sign-in, sessions and lockout of the web pages.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadWeb(TableReader& root, WebConfig& w) {
  const toml::table* t = root.Table("web");
  if (!t) return;
  TableReader s(*t, root.source(), "web");
  s.Read("enabled", w.enabled);
  s.Read("mfa", w.mfa);
  s.Read("pam_service", w.pam_service);
  s.Read("enable_by_default", w.enable_by_default);
  s.Read("session_idle_minutes", w.session_idle_minutes);
  s.Read("session_max_hours", w.session_max_hours);
  s.Read("second_factor_minutes", w.second_factor_minutes);
  s.Read("max_failures", w.max_failures);
  s.Read("lockout_minutes", w.lockout_minutes);
  s.Read("sign_in_link_minutes", w.sign_in_link_minutes);
  s.Read("totp_issuer", w.totp_issuer);
  s.Read("secure_cookies", w.secure_cookies);
  s.RejectUnknown();
  s.Require(w.mfa == "totp" || w.mfa == "none", "mfa", "must be \"totp\" or \"none\"");
  s.Require(!w.pam_service.empty() && w.pam_service.find('/') == std::string::npos, "pam_service",
            "must be a file name in /etc/pam.d");
  s.Require(w.session_idle_minutes > 0, "session_idle_minutes", "must be positive");
  s.Require(w.session_max_hours > 0, "session_max_hours", "must be positive");
  s.Require(w.second_factor_minutes > 0, "second_factor_minutes", "must be positive");
  s.Require(w.max_failures >= 1, "max_failures", "must be at least 1");
  s.Require(w.lockout_minutes > 0, "lockout_minutes", "must be positive");
  s.Require(w.sign_in_link_minutes > 0 && w.sign_in_link_minutes <= 24 * 60, "sign_in_link_minutes",
            "must be positive and at most a day (1440)");
  s.Require(!w.totp_issuer.empty() && w.totp_issuer.find(':') == std::string::npos, "totp_issuer",
            "must be non-empty, without ':'");
  s.Require(
      w.secure_cookies == "auto" || w.secure_cookies == "always" || w.secure_cookies == "never",
      "secure_cookies", "must be \"auto\", \"always\" or \"never\"");
}

}  // namespace sfapid::config_reading
