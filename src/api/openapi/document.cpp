#include "api/openapi/document.h"

#include <boost/json.hpp>

namespace sfapid::openapi {

namespace json = boost::json;

void AddErrorSchemas(json::object& schemas) {
  schemas["HTTPError"] = json::object{{"type", "object"},
                                      {"required", json::array{"detail"}},
                                      {"properties", {{"detail", {{"type", "string"}}}}}};
  json::object loc_item{
      {"anyOf", json::array{json::object{{"type", "string"}}, json::object{{"type", "integer"}}}}};
  json::object validation_props;
  validation_props["loc"] = json::object{{"type", "array"}, {"items", loc_item}};
  validation_props["msg"] = json::object{{"type", "string"}};
  validation_props["type"] = json::object{{"type", "string"}};
  schemas["ValidationError"] = json::object{{"type", "object"},
                                            {"required", json::array{"loc", "msg", "type"}},
                                            {"properties", validation_props}};
  schemas["HTTPValidationError"] = json::object{
      {"type", "object"},
      {"properties",
       {{"detail",
         {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/ValidationError"}}}}}}}};
}

std::string DocumentPath(const std::string& pattern, const std::string& prefix) {
  std::string p = pattern.rfind(prefix, 0) == 0 ? pattern.substr(prefix.size()) : pattern;
  if (p.empty()) p.push_back('/');
  const auto pos = p.find(":path}");
  if (pos != std::string::npos) p.erase(pos, 5);
  return p;
}

json::object BuildDocument(const ApiInfo& info, const http::Router& router,
                           const json::object& schemas) {
  json::object paths;
  for (const auto& route : router.routes()) {
    if (!route.documented || route.pattern.rfind(info.prefix, 0) != 0) continue;
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json::value& entry = paths[info.full_paths ? DocumentPath(route.pattern, "")
                                               : DocumentPath(route.pattern, info.prefix)];
    if (!entry.is_object()) entry.emplace_object();
    entry.as_object()[method] = route.operation;
  }
  json::object doc{
      {"openapi", "3.1.0"},
      {"info",
       {{"title", info.title}, {"version", info.version}, {"description", info.description}}},
      {"servers", json::array{json::object{{"url", info.full_paths ? "/" : info.prefix}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", schemas},
        {"securitySchemes",
         {{info.security_scheme,
           {{"type", "http"},
            {"scheme", "bearer"},
            {"bearerFormat", "JWT"},
            {"description",
             "An access token from the OAuth2 token endpoint (client credentials "
             "with a private-key JWT assertion)"}}}}}}},
  };
  return doc;
}

}  // namespace sfapid::openapi
