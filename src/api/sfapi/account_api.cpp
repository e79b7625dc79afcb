// /account: the caller's user, projects, roles, groups and API clients (spec §2.3). Only the API
// client list exists so far; the rest arrives with the accounts service.
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/sfapi/sfapi_api.h"
#include "http/errors.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::ArrayOf;
using openapi::Operation;
using openapi::Ref;

void AddAccountRoutes(ApiContext& ctx) {
  ctx.schemas["Client"] =
      json::object{{"type", "object"},
                   {"required", json::array{"name", "clientId", "expiresAt"}},
                   {"properties",
                    {{"name", {{"type", "string"}}},
                     {"clientId", {{"type", "string"}}},
                     {"expiresAt", {{"type", "string"}, {"format", "date-time"}}},
                     {"comments", {{"type", "string"}}}}}};
  ClientRegistry& clients = ctx.clients;
  ctx.router.Add(
      {.method = "GET",
       .pattern = std::string(kPrefix) + "/account/clients",
       .handler =
           [&clients](http::Request& req) {
             auto list = clients.ListOwnedBy(req.principal->user);
             if (!list) return http::FromStatus(list.status());
             json::array out;
             for (const auto& c : *list)
               out.push_back(json::object{{"name", c.name},
                                          {"clientId", c.client_id},
                                          {"expiresAt", FormatIso8601(c.expires_at)},
                                          {"comments", c.comments}});
             return http::Response::Json(std::move(out));
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Read Clients", "account", "read_clients_account_clients_get")
                        .Description("The API clients of the calling user, revoked and "
                                     "expired ones included.")
                        .Returns(ArrayOf(Ref("Client")))
                        .Build()});
}

}  // namespace sfapid::sfapi
