#include "api/oauth/token_api.h"

#include <boost/json.hpp>

#include "auth/jwt.h"
#include "http/form.h"

namespace sfapid::oauth {

namespace json = boost::json;

namespace {

http::Response OAuthJson(int status, const json::object& body) {
  http::Response r = http::Response::Json(status, body);
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

http::Response ErrorResponse(const OAuthError& e) {
  http::Response r =
      OAuthJson(e.http_status, {{"error", e.error}, {"error_description", e.description}});
  if (e.http_status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (e.retry_after_seconds > 0)
    r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_seconds));
  return r;
}

}  // namespace

void AddTokenRoutes(http::Router& router, const ServerConfig& server, const AuthConfig& auth,
                    TokenService& tokens, SigningKeys& keys) {
  router.Add(
      {.method = "POST",
       .pattern = auth.token_path,
       .handler =
           [&tokens](http::Request& req) {
             const std::string* type = req.Header("content-type");
             auto form = http::ParseForm(type ? *type : "", req.body);
             if (!form) return ErrorResponse({400, "invalid_request", form.status().message()});
             // The form body, or (as the Julia client sends them) the query string.
             auto param = [&](const char* name) -> std::string {
               if (const std::string* v = form->Get(name)) return *v;
               if (const std::string* v = req.Query(name)) return *v;
               return "";
             };
             TokenRequest request{param("grant_type"), param("client_assertion_type"),
                                  param("client_assertion"), req.remote_ip};
             auto result = tokens.Issue(request);
             if (auto* e = std::get_if<OAuthError>(&result)) return ErrorResponse(*e);
             const auto& t = std::get<IssuedToken>(result);
             return OAuthJson(200, {{"access_token", t.access_token},
                                    {"token_type", "Bearer"},
                                    {"expires_in", t.expires_in},
                                    {"scope", t.scope}});
           },
       .execution = http::Execution::kBlocking,
       // Room for an oversized assertion to be refused in OAuth's error shape, not a bare 413.
       .max_body_bytes = 2 * 1024 * 1024,
       .documented = false});

  router.Add({.method = "GET",
              .pattern = "/oauth2/jwks",
              .handler = [&keys](http::Request&) { return http::Response::Json(keys.Jwks()); },
              .documented = false});

  router.Add({.method = "GET",
              .pattern = "/.well-known/openid-configuration",
              .handler =
                  [&server, &auth](http::Request&) {
                    // Rendered per request: the port is known only once the server has bound.
                    return http::Response::Json(json::object{
                        {"issuer", Issuer(server, auth)},
                        {"token_endpoint", TokenUrl(server, auth)},
                        {"jwks_uri", PublicBaseUrl(server) + "/oauth2/jwks"},
                        {"grant_types_supported", json::array{"client_credentials"}},
                        {"token_endpoint_auth_methods_supported", json::array{"private_key_jwt"}},
                        {"token_endpoint_auth_signing_alg_values_supported",
                         json::array{"RS256", "ES256"}},
                        {"scopes_supported", json::array{"green", "yellow", "red"}}});
                  },
              .documented = false});
}

}  // namespace sfapid::oauth
