// Signing in and out: POST /web/api/sign-in (user name and password), /web/api/sign-in/link (a
// one-time link), /web/api/sign-in/totp (the second factor), /web/api/sign-out; GET
// /web/api/session and the enrolment QR code. The first factor runs on the blocking pool: PAM
// may take seconds.
#include <boost/json.hpp>

#include "api/web/qr_svg.h"
#include "api/web/web_api.h"
#include "api/web/web_security.h"
#include "core/web/totp.h"

namespace sfapid::web {

namespace json = boost::json;

namespace {

constexpr std::size_t kSmallBody = 16 * 1024;

json::object SessionJson(const WebSession& s) {
  return {{"user", s.user},
          {"stage", ToString(s.stage)},
          {"csrf_token", s.csrf_token},
          {"expires_at", FormatIso8601(s.expires_at)}};
}

int64_t MaxAge(const Config& config, const WebSession& s) {
  return s.stage == SessionStage::kSignedIn
             ? static_cast<int64_t>(config.web.session_max_hours * 3600)
             : static_cast<int64_t>(config.web.second_factor_minutes * 60);
}

http::Response Answer(const Config& config, SignInStep step) {
  if (step.kind == SignInStep::Kind::kLockedOut) {
    http::Response r = Error(429, step.message);
    r.headers.emplace_back("Retry-After", std::to_string(step.retry_after));
    return r;
  }
  if (!step.session) return Error(401, step.message);
  json::object body = SessionJson(step.session->session);
  if (step.kind == SignInStep::Kind::kEnrolmentDue) {
    body["totp_uri"] = step.totp_uri;
    body["totp_secret"] = step.totp_secret;
  }
  http::Response r = JsonOk(200, std::move(body));
  r.headers.emplace_back("Set-Cookie", SessionCookie(config, step.session->cookie,
                                                     MaxAge(config, step.session->session)));
  return r;
}

// The first factor's fields from the JSON body: only the strings it names.
std::optional<http::Response> Fields(const http::Request& req,
                                     std::initializer_list<const char*> names, SignInFields& out) {
  if (!OriginAllowed(req)) return Error(403, "sign in from sfapid's own page");
  JsonBody body = ReadJsonBody(req);
  if (body.refusal) return body.refusal;
  for (const char* name : names) {
    bool bad = false;
    out[name] = StringField(body.fields, name, bad);
    if (bad) return Error(422, std::string(name) + " must be a string", name);
  }
  return std::nullopt;
}

}  // namespace

void AddSignInRoutes(WebContext& ctx) {
  const Config& config = ctx.config;
  ctx.router.Add({.method = "POST",
                  .pattern = "/web/api/sign-in",
                  .handler =
                      [&ctx, &config](http::Request& req) {
                        SignInFields fields;
                        if (auto r = Fields(req, {"username", "password"}, fields)) return *r;
                        return Answer(config,
                                      ctx.sign_in.Begin(ctx.password, fields, req.remote_ip));
                      },
                  .execution = http::Execution::kBlocking,
                  .max_body_bytes = kSmallBody,
                  .documented = false});
  ctx.router.Add({.method = "POST",
                  .pattern = "/web/api/sign-in/link",
                  .handler =
                      [&ctx, &config](http::Request& req) {
                        SignInFields fields;
                        if (auto r = Fields(req, {"link"}, fields)) return *r;
                        return Answer(config, ctx.sign_in.Begin(ctx.link, fields, req.remote_ip));
                      },
                  .execution = http::Execution::kBlocking,
                  .max_body_bytes = kSmallBody,
                  .documented = false});
  ctx.router.Add({.method = "POST",
                  .pattern = "/web/api/sign-in/totp",
                  .handler =
                      [&ctx, &config](http::Request& req) {
                        SessionCheck check = RequireSession(ctx.sessions, req, true, false);
                        if (check.refusal) return *check.refusal;
                        JsonBody body = ReadJsonBody(req);
                        if (body.refusal) return *body.refusal;
                        bool bad = false;
                        const std::string code = StringField(body.fields, "code", bad);
                        if (bad) return Error(422, "code must be a string", "code");
                        return Answer(
                            config, ctx.sign_in.SecondFactor(*check.session, code, req.remote_ip));
                      },
                  .execution = http::Execution::kBlocking,
                  .max_body_bytes = kSmallBody,
                  .documented = false});
  ctx.router.Add({.method = "POST",
                  .pattern = "/web/api/sign-out",
                  .handler =
                      [&ctx, &config](http::Request& req) {
                        SessionCheck check = RequireSession(ctx.sessions, req, true, false);
                        if (check.refusal) return *check.refusal;
                        if (Status s = ctx.sessions.Close(CookieValue(req, kSessionCookie));
                            !s.ok())
                          return FromStatus(s);
                        ctx.sign_in.Audit(check.session->user, req.remote_ip, "web-signed-out", "");
                        http::Response r = JsonOk(200, json::object{{"stage", "signed_out"}});
                        r.headers.emplace_back("Set-Cookie", SessionCookie(config, "", 0));
                        return r;
                      },
                  .execution = http::Execution::kBlocking,
                  .max_body_bytes = kSmallBody,
                  .documented = false});
  ctx.router.Add({.method = "GET",
                  .pattern = "/web/api/session",
                  .handler =
                      [&ctx](http::Request& req) {
                        SessionCheck check = RequireSession(ctx.sessions, req, false, false);
                        if (check.refusal) return *check.refusal;
                        return JsonOk(200, SessionJson(*check.session));
                      },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
  ctx.router.Add({.method = "GET",
                  .pattern = "/web/api/totp/qr.svg",
                  .handler =
                      [&ctx, &config](http::Request& req) {
                        SessionCheck check = RequireSession(ctx.sessions, req, false, false);
                        if (check.refusal) return *check.refusal;
                        if (check.session->stage != SessionStage::kEnrolling)
                          return Error(409, "there is no TOTP enrolment in progress");
                        return Secured(http::Response::Text(
                            200,
                            QrSvg(TotpUri(config.web.totp_issuer, check.session->user,
                                          check.session->pending_totp_secret)),
                            "image/svg+xml"));
                      },
                  .execution = http::Execution::kBlocking,
                  .documented = false});
}

}  // namespace sfapid::web
