// /facility and /facility/sites (spec §2.1): the centre and its one site, from [facility]. Public.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/iri/base_url.h"
#include "api/iri/iri_route.h"
#include "api/iri/problem.h"
#include "api/iri/wire_time.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}
json::value OrNull(const std::optional<double>& d) {
  return d ? json::value(*d) : json::value(nullptr);
}

json::object FacilityJson(const IriContext& ctx, const std::string& base) {
  const FacilityConfig& f = ctx.facility;
  return {{"id", f.short_name},
          {"name", f.name},
          {"description", OrNull(f.description)},
          {"last_modified", Timestamp(ctx.started)},
          {"short_name", f.short_name},
          {"organization_name", OrNull(f.organization_name)},
          {"support_uri", OrNull(f.support_uri)},
          {"self_uri", base + "/facility"},
          {"site_uris", json::array{json::string(base + "/facility/sites/" + f.site.short_name)}}};
}

json::object SiteJson(const IriContext& ctx, const std::string& base) {
  const FacilityConfig& f = ctx.facility;
  const SiteConfig& s = f.site;
  json::array resources;
  for (const auto& system : ctx.systems)
    resources.push_back(json::string(base + "/status/resources/" + system.name));
  const std::string& organization =
      s.operating_organization.empty() ? f.organization_name : s.operating_organization;
  return {{"id", s.short_name},
          {"name", s.name.empty() ? f.name : s.name},
          {"description", OrNull(s.description)},
          {"last_modified", Timestamp(ctx.started)},
          {"short_name", s.short_name},
          {"operating_organization", OrNull(organization)},
          {"country_name", OrNull(s.country_name)},
          {"locality_name", OrNull(s.locality_name)},
          {"state_or_province_name", OrNull(s.state_or_province_name)},
          {"street_address", OrNull(s.street_address)},
          {"unlocode", OrNull(s.unlocode)},
          {"altitude", OrNull(s.altitude)},
          {"latitude", OrNull(s.latitude)},
          {"longitude", OrNull(s.longitude)},
          {"self_uri", base + "/facility/sites/" + s.short_name},
          {"resource_uris", std::move(resources)}};
}

bool ContainsIgnoringCase(const std::string& text, const std::string& part) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  return lower(text).find(lower(part)) != std::string::npos;
}

}  // namespace

void AddFacilityRoutes(IriContext& ctx) {
  const std::string tag = "facility";
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/facility",
            .operation_id = "getFacility",
            .tag = tag,
            .summary = "The facility",
            .query = {ModifiedSinceParam()},
            .answer = SchemaRef("Facility"),
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              if (auto not_modified = NotModified(q, ctx.started)) return std::move(*not_modified);
              return http::Response::Json(FacilityJson(ctx, BaseUrl(req, ctx.server)));
            }});
  std::vector<QueryParam> site_query = {
      ModifiedSinceParam(),
      {.name = "name", .description = "Sites whose name contains this (any case)", .min_length = 1},
      {.name = "short_name", .description = "The site with this short name", .min_length = 1}};
  for (auto& p : PagingParams()) site_query.push_back(std::move(p));
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/facility/sites",
            .operation_id = "getSites",
            .tag = tag,
            .summary = "The facility's sites",
            .query = std::move(site_query),
            .answer = ListOf("Site"),
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              json::object site = SiteJson(ctx, BaseUrl(req, ctx.server));
              std::vector<json::object> sites;
              const std::string* name = q.Get("name");
              const std::string* short_name = q.Get("short_name");
              if (ChangedSince(q, ctx.started) &&
                  (!name || ContainsIgnoringCase(std::string(site["name"].as_string()), *name)) &&
                  (!short_name || *short_name == ctx.facility.site.short_name))
                sites.push_back(std::move(site));
              json::array out;
              for (auto& s : Page(std::move(sites), q)) out.push_back(std::move(s));
              return http::Response::Json(std::move(out));
            }});
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/facility/sites/{site_id}",
            .operation_id = "getSite",
            .tag = tag,
            .summary = "One site",
            .path_params = {{"site_id", "The site's id"}},
            .query = {ModifiedSinceParam()},
            .answer = SchemaRef("Site"),
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              if (req.PathParam("site_id") != ctx.facility.site.short_name)
                return Problem(req, 404, "no site '" + req.PathParam("site_id") + "'");
              if (auto not_modified = NotModified(q, ctx.started)) return std::move(*not_modified);
              return http::Response::Json(SiteJson(ctx, BaseUrl(req, ctx.server)));
            }});
}

}  // namespace sfapid::iri
