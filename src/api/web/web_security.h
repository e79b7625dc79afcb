// What every web answer and change goes through: security headers (a strict Content-Security-
// Policy with no inline script, no framing, no sniffing, no caching of private answers), the
// session cookie (HttpOnly, SameSite=Strict, Secure behind TLS), the session a request carries,
// and the CSRF check of every change (the session's token in X-CSRF-Token, and an Origin, when
// sent, that is this server).
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/web/web_sessions.h"
#include "http/message.h"

namespace sfapid::web {

inline constexpr const char* kSessionCookie = "sfapid_session";

// Adds the security headers every page and call answers with.
http::Response Secured(http::Response r);
// {"error": message[, "field": field]} with the status.
http::Response Error(int status, const std::string& message, const std::string& field = "");
// A service's Status as a web error (InvalidArgument 422, NotFound 404, ...).
http::Response FromStatus(const Status& s);
http::Response JsonOk(int status, boost::json::value v);

// The value of a cookie the request sent, or "".
std::string CookieValue(const http::Request& req, const std::string& name);
// Set-Cookie for a new session (expires with it), or to clear it (empty value).
std::string SessionCookie(const Config& config, const std::string& value, int64_t max_age_seconds);

// The request's session, or the 401 to answer. `change`: also checks CSRF (X-CSRF-Token equal to
// the session's, and Origin when present) and answers 403 when it fails.
struct SessionCheck {
  std::optional<WebSession> session;
  std::optional<http::Response> refusal;
};
SessionCheck RequireSession(WebSessions& sessions, const http::Request& req, bool change,
                            bool signed_in_only = true);
// For changes made without a session yet (signing in): Origin, when present, must be this server.
bool OriginAllowed(const http::Request& req);

// The JSON object body of a call, or the 400/415 to answer.
struct JsonBody {
  boost::json::object fields;
  std::optional<http::Response> refusal;
};
JsonBody ReadJsonBody(const http::Request& req);
// A string member, "" when missing; `bad` is set when it is present but not a string.
std::string StringField(const boost::json::object& o, const char* key, bool& bad);

}  // namespace sfapid::web
