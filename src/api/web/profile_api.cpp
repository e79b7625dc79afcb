// The signed-in user's own things: GET /web/api/profile (who, projects and hours, access, API
// clients, the levels' rules), POST /web/api/clients (register a client with a public key made in
// the browser), DELETE /web/api/clients/{id}, POST /web/api/access-requests. Every change needs
// the session's CSRF token; the client rules are ClientRegistry's, the same as the CLI's.
#include <boost/json.hpp>

#include "api/web/web_api.h"
#include "api/web/web_security.h"
#include "core/web/web_audit.h"

namespace sfapid::web {

namespace json = boost::json;

namespace {

constexpr std::size_t kClientBody = 64 * 1024;

json::value When(const std::optional<TimePoint>& t) {
  return t ? json::value(FormatIso8601(*t)) : json::value(nullptr);
}

json::object ClientJson(const ClientRecord& c) {
  json::array ranges;
  for (const auto& r : c.ip_ranges) ranges.emplace_back(r);
  const TimePoint now = Now();
  return {{"client_id", c.client_id},
          {"name", c.name},
          {"comments", c.comments},
          {"level", ToString(c.level)},
          {"ip_ranges", std::move(ranges)},
          {"created_at", FormatIso8601(c.created_at)},
          {"expires_at", FormatIso8601(c.expires_at)},
          {"revoked_at", When(c.revoked_at)},
          {"last_used_at", When(c.last_used_at)},
          {"state", c.revoked_at          ? "revoked"
                    : now >= c.expires_at ? "expired"
                                          : "valid"}};
}

json::object RequestJson(const AccessRequest& r) {
  return {{"id", r.id},
          {"state", r.state},
          {"reason", r.reason},
          {"requested_at", FormatIso8601(r.requested_at)},
          {"decided_at", When(r.decided_at)},
          {"note", r.note}};
}

json::object LevelsJson(const AuthConfig& auth) {
  json::object out;
  for (auto level : {Level::kGreen, Level::kYellow, Level::kRed}) {
    const LevelPolicy& p = auth.Policy(static_cast<int>(level));
    out[ToString(level)] = {{"max_lifetime_days", p.max_lifetime_days},
                            {"max_ip_ranges", p.max_ip_ranges},
                            {"min_ipv4_prefix", p.min_ipv4_prefix},
                            {"min_ipv6_prefix", p.min_ipv6_prefix}};
  }
  return out;
}

http::Response Profile(WebContext& ctx, const WebSession& session, const http::Request& req) {
  const std::string& user = session.user;
  auto info = ctx.accounts.User(user, true);
  if (!info) return FromStatus(info.status());
  auto projects = ctx.accounts.Projects(user);
  if (!projects) return FromStatus(projects.status());
  auto access = ctx.access.StateOf(user);
  if (!access) return FromStatus(access.status());
  auto clients = ctx.clients.ListOwnedBy(user);
  if (!clients) return FromStatus(clients.status());

  json::array project_list;
  for (const auto& p : *projects)
    project_list.push_back(json::object{{"repo_name", p.project.repo_name},
                                        {"description", p.project.description},
                                        {"role", p.role},
                                        {"hours_given", p.project.cpu_hours_given},
                                        {"hours_used", p.project_hours_used},
                                        {"your_hours_used", p.user_hours_used}});
  json::array client_list;
  for (auto it = clients->rbegin(); it != clients->rend(); ++it)  // newest first
    client_list.push_back(ClientJson(*it));
  const UserRecord& d = info->details;
  return JsonOk(
      200,
      json::object{
          {"user",
           {{"name", info->name},
            {"uid", info->uid},
            {"full_name",
             d.firstname + (d.firstname.empty() || d.lastname.empty() ? "" : " ") + d.lastname},
            {"email", d.email}}},
          {"access",
           {{"enabled", access->enabled},
            {"why", access->why},
            {"request",
             access->request ? json::value(RequestJson(*access->request)) : json::value(nullptr)}}},
          {"projects", std::move(project_list)},
          {"clients", std::move(client_list)},
          {"levels", LevelsJson(ctx.config.auth)},
          {"your_address", req.remote_ip}});
}

http::Response CreateClient(WebContext& ctx, const WebSession& session, const http::Request& req) {
  JsonBody body = ReadJsonBody(req);
  if (body.refusal) return *body.refusal;
  const json::object& f = body.fields;
  auto access = ctx.access.EnablementOf(session.user);
  if (!access) return FromStatus(access.status());
  if (!access->enabled)
    return Error(
        403, "you are not enabled for the API (" + access->why + "); request access on this page");
  bool bad = false;
  NewClient request;
  request.owner = session.user;
  request.name = StringField(f, "name", bad);
  if (bad) return Error(422, "name must be a string", "name");
  request.comments = StringField(f, "comments", bad);
  if (bad) return Error(422, "comments must be a string", "comments");
  const std::string level = StringField(f, "level", bad);
  auto parsed_level = ParseLevel(level);
  if (bad || !parsed_level) return Error(422, "level must be red, yellow or green", "level");
  request.level = *parsed_level;
  if (auto it = f.find("ip_ranges"); it != f.end() && !it->value().is_null()) {
    if (!it->value().is_array()) return Error(422, "ip_ranges must be a list", "ip_ranges");
    for (const auto& r : it->value().as_array()) {
      if (!r.is_string()) return Error(422, "each IP range must be a string", "ip_ranges");
      request.ip_ranges.emplace_back(r.as_string());
    }
  }
  const std::string key = StringField(f, "public_key", bad);
  if (bad || key.empty())
    return Error(422, "public_key is needed: the key pair is made in your browser", "public_key");
  request.public_key = key;
  if (request.name.empty()) return Error(422, "give the client a name", "name");
  auto created = ctx.clients.Create(request);
  if (!created) return FromStatus(created.status());
  WebAudit(ctx.clients.store(), session.user, req.remote_ip, "client-created",
           std::string(ToString(created->record.level)) + " client \"" + request.name +
               "\" from the web page",
           created->record.client_id);
  std::string skipped;
  auto joined = ctx.accounts.AdmitClientUser(session.user, &skipped);
  if (!joined) return FromStatus(joined.status());
  return JsonOk(201, json::object{{"client", ClientJson(created->record)}});
}

http::Response RevokeClient(WebContext& ctx, const WebSession& session, const http::Request& req) {
  const std::string& id = req.PathParam("client_id");
  auto owned = ctx.clients.ListOwnedBy(session.user);
  if (!owned) return FromStatus(owned.status());
  const ClientRecord* mine = nullptr;
  for (const auto& c : *owned)
    if (c.client_id == id) mine = &c;
  // Another user's client is as unknown as one that does not exist.
  if (!mine) return Error(404, "you have no client " + id.substr(0, 64));
  if (!mine->revoked_at) {
    if (Status s = ctx.clients.Revoke(id); !s.ok()) return FromStatus(s);
    WebAudit(ctx.clients.store(), session.user, req.remote_ip, "client-revoked",
             "from the web page", id);
  }
  auto revoked = ctx.clients.store().GetClient(id);
  if (!revoked) return FromStatus(revoked.status());
  return JsonOk(200, json::object{{"client", ClientJson(*revoked)}});
}

http::Response RequestAccess(WebContext& ctx, const WebSession& session, const http::Request& req) {
  JsonBody body = ReadJsonBody(req);
  if (body.refusal) return *body.refusal;
  bool bad = false;
  const std::string reason = StringField(body.fields, "reason", bad);
  if (bad) return Error(422, "reason must be a string", "reason");
  auto request = ctx.access.Request(session.user, reason, req.remote_ip);
  if (!request) return FromStatus(request.status());
  return JsonOk(201, json::object{{"request", RequestJson(*request)}});
}

// A route that needs a signed-in session (and the CSRF token when it changes something).
http::Handler Signed(WebContext& ctx, bool change,
                     http::Response (*body)(WebContext&, const WebSession&, const http::Request&)) {
  return [&ctx, change, body](http::Request& req) {
    SessionCheck check = RequireSession(ctx.sessions, req, change);
    if (check.refusal) return *check.refusal;
    return body(ctx, *check.session, req);
  };
}

}  // namespace

void AddProfileRoutes(WebContext& ctx) {
  ctx.router.Add({.method = "GET",
                  .pattern = "/web/api/profile",
                  .handler = Signed(ctx, false, Profile),
                  .execution = http::Execution::kBlocking,
                  .documented = false});
  ctx.router.Add({.method = "POST",
                  .pattern = "/web/api/clients",
                  .handler = Signed(ctx, true, CreateClient),
                  .execution = http::Execution::kBlocking,
                  .max_body_bytes = kClientBody,
                  .documented = false});
  ctx.router.Add({.method = "DELETE",
                  .pattern = "/web/api/clients/{client_id}",
                  .handler = Signed(ctx, true, RevokeClient),
                  .execution = http::Execution::kBlocking,
                  .documented = false});
  ctx.router.Add({.method = "POST",
                  .pattern = "/web/api/access-requests",
                  .handler = Signed(ctx, true, RequestAccess),
                  .execution = http::Execution::kBlocking,
                  .max_body_bytes = kClientBody,
                  .documented = false});
}

}  // namespace sfapid::web
