#include "core/web/sign_in_service.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "core/web/totp.h"
#include "core/web/web_audit.h"
#include "util/log_status.h"

namespace sfapid {

namespace {

SignInStep Failed(SignInStep::Kind kind, std::string message, int64_t retry_after = 0) {
  SignInStep s;
  s.kind = kind;
  s.message = std::move(message);
  s.retry_after = retry_after;
  return s;
}

SignInStep Trouble(const Status& s) {
  spdlog::error("web sign-in: {}", s.message());
  return Failed(SignInStep::Kind::kRefused, "signing in is not working right now: " + s.message());
}

}  // namespace

SignInService::SignInService(const Config& config, WebStore& store, AuthStore& audit,
                             WebSessions& sessions, const UserDirectory& users)
    : config_(config),
      store_(store),
      audit_(audit),
      sessions_(sessions),
      users_(users),
      lockout_(config.web, store),
      policy_(config.runas) {}

void SignInService::Audit(const std::string& user, const std::string& ip,
                          const std::string& outcome, const std::string& detail) {
  WebAudit(audit_, user, ip, outcome, detail);
}

std::optional<SignInStep> SignInService::LockedOut(const std::string& user, const std::string& ip) {
  for (const std::string& key :
       {SignInLockout::AddressKey(ip), user.empty() ? "" : SignInLockout::UserKey(user)}) {
    if (key.empty()) continue;
    auto wait = lockout_.RetryAfter(key);
    if (!wait) return Trouble(wait.status());
    if (*wait > 0) {
      Audit(user, ip, "web-sign-in-locked", "locked out (" + key + ")");
      return Failed(SignInStep::Kind::kLockedOut,
                    "too many failed sign-ins; try again in " + std::to_string((*wait + 59) / 60) +
                        " minute(s)",
                    *wait);
    }
  }
  return std::nullopt;
}

SignInStep SignInService::Refuse(const std::string& user, const std::string& ip,
                                 const std::string& why, const std::string& detail) {
  for (const std::string& key :
       {SignInLockout::AddressKey(ip), user.empty() ? "" : SignInLockout::UserKey(user)})
    if (!key.empty())
      if (Status s = lockout_.RecordFailure(key); !s.ok()) return Trouble(s);
  Audit(user, ip, "web-sign-in-refused", detail);
  return Failed(SignInStep::Kind::kRefused, why);
}

SignInStep SignInService::SignedIn(Result<OpenedSession> opened, const std::string& ip) {
  if (!opened) return Trouble(opened.status());
  const std::string& user = opened->session.user;
  LogIfFailed(lockout_.Clear(SignInLockout::UserKey(user)), "clearing sign-in failures");
  Audit(user, ip, "web-signed-in", "by " + opened->session.method);
  SignInStep step;
  step.kind = SignInStep::Kind::kSignedIn;
  step.session = std::move(opened).value();
  return step;
}

SignInStep SignInService::Begin(FirstFactor& factor, const SignInFields& fields,
                                const std::string& ip) {
  const std::string claimed = factor.Claimed(fields);
  SignInGate::Ticket ticket = gate_.Enter(ip);
  if (!ticket)
    return Failed(SignInStep::Kind::kLockedOut,
                  "other sign-ins are being checked; try again in a moment", 1);
  if (auto locked = LockedOut(claimed, ip)) return *locked;
  auto identified = factor.Identify(fields);
  if (!identified) {
    if (identified.status().code() != Code::kUnauthenticated) return Trouble(identified.status());
    return Refuse(claimed, ip, identified.status().message(),
                  factor.name() + " refused: " + identified.status().message());
  }
  const std::optional<std::string> api_user = factor.names() == FirstFactor::Names::kApiUser
                                                  ? std::optional(*identified)
                                                  : users_.ApiUserFor(*identified);
  if (!api_user)
    return Refuse(*identified, ip,
                  "this account has no API user: [runas] accounts maps its name to another account",
                  "no API user acts as " + *identified + " ([runas] accounts maps the name away)");
  const std::string& user = *api_user;
  // The same rule as every action, on the account the session would act as: sfapid never acts
  // as root, system or daemon accounts.
  if (::geteuid() == 0)
    if (auto why = policy_.RefusalFor(users_.AccountName(user)))
      return Refuse(*identified, ip,
                    "this account cannot use the API: sfapid never acts as root, system or daemon "
                    "accounts",
                    *why);
  if (!factor.NeedsSecondFactor() || config_.web.mfa == "none")
    return SignedIn(sessions_.Open(user, SessionStage::kSignedIn, factor.name(), ip), ip);

  auto enrolment = store_.GetTotp(user);
  if (!enrolment) return Trouble(enrolment.status());
  SignInStep step;
  if (*enrolment) {
    auto opened = sessions_.Open(user, SessionStage::kSecondFactor, factor.name(), ip);
    if (!opened) return Trouble(opened.status());
    step.kind = SignInStep::Kind::kSecondFactorDue;
    step.session = std::move(opened).value();
  } else {
    const std::string secret = NewTotpSecret();
    auto opened = sessions_.Open(user, SessionStage::kEnrolling, factor.name(), ip, secret);
    if (!opened) return Trouble(opened.status());
    step.kind = SignInStep::Kind::kEnrolmentDue;
    step.session = std::move(opened).value();
    step.totp_secret = secret;
    step.totp_uri = TotpUri(config_.web.totp_issuer, user, secret);
  }
  Audit(user, ip, "web-password-accepted",
        step.kind == SignInStep::Kind::kEnrolmentDue ? "TOTP enrolment due" : "TOTP code due");
  return step;
}

SignInStep SignInService::SecondFactor(const WebSession& half, const std::string& code,
                                       const std::string& ip) {
  const std::string& user = half.user;
  if (half.stage == SessionStage::kSignedIn)
    return Failed(SignInStep::Kind::kRefused, "you are signed in already");
  if (auto locked = LockedOut(user, ip)) return *locked;
  const bool enrolling = half.stage == SessionStage::kEnrolling;
  std::string secret = half.pending_totp_secret;
  if (!enrolling) {
    auto enrolment = store_.GetTotp(user);
    if (!enrolment) return Trouble(enrolment.status());
    if (!*enrolment)  // an operator reset it since the password: start again
      return Failed(SignInStep::Kind::kRefused,
                    "your second factor was reset; sign in again to enrol a new one");
    secret = (*enrolment)->secret_base32;
  }
  const TimePoint now = Now();
  const auto step = MatchTotp(secret, code, now);
  if (!step) return Refuse(user, ip, "wrong code", "TOTP code wrong");
  if (enrolling) {
    if (Status s = store_.AddTotp({user, secret, *step, now}); !s.ok()) {
      // Another sign-in enrolled meanwhile: its authenticator stays the one that counts.
      if (s.code() == Code::kAlreadyExists)
        return Refuse(user, ip, "a second factor was enrolled meanwhile; sign in again",
                      "stale TOTP enrolment refused");
      return Trouble(s);
    }
    Audit(user, ip, "web-totp-enrolled", "");
  } else {
    auto fresh = store_.UseTotpStep(user, *step);
    if (!fresh) return Trouble(fresh.status());
    if (!*fresh)
      return Refuse(user, ip, "this code was used already; wait for the next one",
                    "TOTP code replayed");
  }
  return SignedIn(sessions_.Promote(half, half.method + "+totp"), ip);
}

Status SignInService::ResetTotp(const std::string& user) {
  if (Status s = store_.DeleteTotp(user); !s.ok()) return s;
  auto closed = sessions_.CloseAll(user);
  if (!closed) return closed.status();
  Audit(user, "", "web-totp-reset",
        "by an operator; " + std::to_string(*closed) + " session(s) ended");
  return Status::Ok();
}

}  // namespace sfapid
