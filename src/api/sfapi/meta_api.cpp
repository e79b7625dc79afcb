// /meta: the API's changelog and the facility's public configuration (spec §2.2). Public.
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/sfapi/sfapi_api.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::ArrayOf;
using openapi::Operation;
using openapi::Ref;

namespace {

struct ChangelogEntry {
  const char* date;
  const char* change;
};

// Changes to this server's API surface, newest first. Add a line with every user-visible change.
constexpr ChangelogEntry kChangelog[] = {
    {"2026-11-27",
     "sfapid serves the SFAPI v1.2 status and meta endpoints, an OpenAPI 3.1 document and Swagger "
     "UI"},
};

json::array ConfigEntries(const std::vector<SystemConfig>& systems) {
  std::string compute, all;
  for (const auto& s : systems) {
    all += (all.empty() ? "" : ",") + s.name;
    if (s.system_type == SystemType::kCompute) compute += (compute.empty() ? "" : ",") + s.name;
  }
  json::array out;
  auto add = [&out](const char* key, const std::string& value) {
    out.push_back(json::object{{"key", key}, {"value", value}});
  };
  add("compute.targets", compute);
  add("status.systems", all);
  add("api.version", "1.2");
  add("server.name", "sfapid");
  add("server.version", SFAPID_VERSION);
  return out;
}

}  // namespace

void AddMetaRoutes(ApiContext& ctx) {
  ctx.schemas["ChangelogItem"] = json::object{
      {"type", "object"},
      {"required", json::array{"date", "change"}},
      {"properties",
       {{"date", {{"type", "string"}, {"format", "date"}}}, {"change", {{"type", "string"}}}}}};
  ctx.schemas["ConfItem"] = json::object{
      {"type", "object"},
      {"required", json::array{"key"}},
      {"properties",
       {{"key", {{"type", "string"}}},
        {"value",
         {{"anyOf",
           json::array{json::object{{"type", "string"}}, json::object{{"type", "null"}}}}}}}}};

  const std::string p = kPrefix;
  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/meta/changelog",
       .handler =
           [](http::Request&) {
             json::array out;
             for (const auto& e : kChangelog)
               out.push_back(json::object{{"date", e.date}, {"change", e.change}});
             return http::Response::Json(std::move(out));
           },
       .operation = Operation("Read Changelog", "meta", "read_changelog_meta_changelog_get")
                        .Returns(ArrayOf(Ref("ChangelogItem")))
                        .Build()});
  // Rendered once: the configuration does not change while the server runs.
  const std::string config_body = json::serialize(ConfigEntries(ctx.systems));
  ctx.router.Add({.method = "GET",
                  .pattern = p + "/meta/config",
                  .handler =
                      [config_body](http::Request&) {
                        return http::Response::Text(200, config_body, "application/json");
                      },
                  .operation = Operation("Read Config", "meta", "read_config_meta_config_get")
                                   .Returns(ArrayOf(Ref("ConfItem")))
                                   .Build()});
}

}  // namespace sfapid::sfapi
