#include "api/web/web_security.h"

#include <boost/json.hpp>

#include "http/errors.h"
#include "util/secret_tokens.h"

namespace sfapid::web {

namespace json = boost::json;

http::Response Secured(http::Response r) {
  // Everything comes from this server; scripts only from files (no inline script or style, no
  // eval); the enrolment QR code is an image from here; nothing may frame the pages.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; "
                         "img-src 'self'; connect-src 'self'; form-action 'self'; "
                         "base-uri 'none'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  bool cached = false;
  for (const auto& [name, value] : r.headers) cached = cached || name == "Cache-Control";
  if (!cached) r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http::Response JsonOk(int status, json::value v) {
  return Secured(http::Response::Json(status, std::move(v)));
}

http::Response Error(int status, const std::string& message, const std::string& field) {
  json::object o{{"error", message}};
  if (!field.empty()) o["field"] = field;
  return JsonOk(status, std::move(o));
}

http::Response FromStatus(const Status& s) {
  if (s.ok()) return JsonOk(200, json::object{});
  // A wrong field is a 422 naming it, as the page points at the field.
  if (s.code() == Code::kInvalidArgument) return Error(422, s.message(), s.field());
  return Error(http::HttpStatusFor(s.code()), s.message());
}

std::string CookieValue(const http::Request& req, const std::string& name) {
  for (const auto& [header, value] : req.headers) {
    if (header != "cookie") continue;
    size_t start = 0;
    while (start < value.size()) {
      size_t end = value.find(';', start);
      if (end == std::string::npos) end = value.size();
      std::string_view pair(value.data() + start, end - start);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
          pair[name.size()] == '=')
        return std::string(pair.substr(name.size() + 1));
      start = end + 1;
    }
  }
  return "";
}

std::string SessionCookie(const Config& config, const std::string& value, int64_t max_age) {
  const bool secure =
      config.web.secure_cookies == "always" ||
      (config.web.secure_cookies == "auto" && config.TokenUrl().rfind("https://", 0) == 0);
  return std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "") + "; Max-Age=" + std::to_string(value.empty() ? 0 : max_age);
}

bool OriginAllowed(const http::Request& req) {
  const std::string* origin = req.Header("origin");
  if (!origin) return true;  // same-origin GETs and old browsers send none; SameSite still holds
  const std::string* host = req.Header("host");
  if (!host) return false;
  return *origin == "http://" + *host || *origin == "https://" + *host;
}

SessionCheck RequireSession(WebSessions& sessions, const http::Request& req, bool change,
                            bool signed_in_only) {
  SessionCheck out;
  auto session = sessions.Find(CookieValue(req, kSessionCookie));
  if (!session) {
    out.refusal = session.status().code() == Code::kUnauthenticated
                      ? Error(401, session.status().message())
                      : FromStatus(session.status());
    return out;
  }
  if (signed_in_only && session->stage != SessionStage::kSignedIn) {
    out.refusal = Error(401, "finish signing in first (the second factor is due)");
    return out;
  }
  if (change) {
    const std::string* token = req.Header("x-csrf-token");
    if (!token || !ConstantTimeEquals(*token, session->csrf_token) || !OriginAllowed(req)) {
      out.refusal = Error(403,
                          "this change did not come from sfapid's own page (CSRF check); "
                          "reload the page and try again");
      return out;
    }
  }
  out.session = std::move(session).value();
  return out;
}

JsonBody ReadJsonBody(const http::Request& req) {
  JsonBody out;
  const std::string* type = req.Header("content-type");
  if (!type || type->rfind("application/json", 0) != 0) {
    out.refusal = Error(415, "send the fields as JSON (Content-Type: application/json)");
    return out;
  }
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec || !v.is_object()) {
    out.refusal = Error(400, "the body is not a JSON object");
    return out;
  }
  out.fields = std::move(v.as_object());
  return out;
}

std::string StringField(const json::object& o, const char* key, bool& bad) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return "";
  if (!it->value().is_string()) {
    bad = true;
    return "";
  }
  return std::string(it->value().as_string());
}

}  // namespace sfapid::web
