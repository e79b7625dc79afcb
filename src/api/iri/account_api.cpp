// /account (spec §2.3): capabilities (public), and the caller's projects with their allocations
// (account_model.h says how sfapid's grants and usage map onto them). Only the caller's own
// projects exist for it: another project is 404, like one that does not exist.
#include <boost/json/array.hpp>

#include "api/iri/account_model.h"
#include "api/iri/base_url.h"
#include "api/iri/iri_route.h"
#include "api/iri/problem.h"
#include "api/iri/wire_time.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

json::object CapabilityJson(const CapabilityDef& c, const std::string& base, TimePoint modified) {
  json::array units;
  for (const char* u : c.units) units.push_back(json::string(u));
  return {{"id", c.id},
          {"name", c.name},
          {"description", c.description},
          {"last_modified", Timestamp(modified)},
          {"units", std::move(units)},
          {"self_uri", base + "/account/capabilities/" + c.id}};
}

// What the handlers under /account/projects/{project_id} share: the caller's report of it.
struct ProjectView {
  ProjectReport report;
  std::vector<std::string> members;
  std::string uri;  // base/account/projects/{id}
};

std::variant<ProjectView, http::Response> FindProject(IriContext& ctx, const http::Request& req) {
  const std::string& id = req.PathParam("project_id");
  auto reports = ctx.accounts.Projects(req.principal->user);
  if (!reports) return FromStatus(req, reports.status());
  for (auto& r : *reports) {
    if (r.project.repo_name != id) continue;
    ProjectView v{std::move(r), {}, BaseUrl(req, ctx.server) + "/account/projects/" + id};
    auto members = ctx.accounts.Members(v.report.project.id);
    if (!members) return FromStatus(req, members.status());
    for (const auto& m : *members) v.members.push_back(m.user);
    return v;
  }
  return Problem(req, 404, "no project '" + id + "' of yours");
}

json::object ProjectJson(const ProjectView& v, TimePoint modified) {
  json::array users;
  for (const auto& u : v.members) users.push_back(json::string(u));
  return {{"id", v.report.project.repo_name},
          {"name", v.report.project.repo_name},
          {"description", v.report.project.description},
          {"user_ids", std::move(users)},
          {"last_modified", Timestamp(modified)},
          {"self_uri", v.uri}};
}

std::string AllocationId(const ProjectView& v, const std::string& capability) {
  return v.report.project.repo_name + "." + capability;
}

json::object AllocationJson(const ProjectView& v, const std::string& capability,
                            const std::vector<Entry>& entries, const std::string& base) {
  return {{"id", AllocationId(v, capability)},
          {"entries", EntriesJson(entries)},
          {"project_uri", v.uri},
          {"capability_uri", base + "/account/capabilities/" + capability}};
}

// The project allocation the path names: its capability, or the 404.
std::variant<std::string, http::Response> FindAllocation(const ProjectView& v,
                                                         const http::Request& req) {
  const std::string& id = req.PathParam("project_allocation_id");
  for (const auto& [capability, entries] : AllocationsOf(v.report).by_capability)
    if (AllocationId(v, capability) == id) return capability;
  return Problem(req, 404, "no allocation '" + id + "' in project " + v.report.project.repo_name);
}

struct UserAllocation {
  std::string user;
  std::vector<Entry> entries;
};

std::variant<std::vector<UserAllocation>, http::Response> UserAllocations(
    IriContext& ctx, const ProjectView& v, const std::string& capability,
    const http::Request& req) {
  auto usage = ctx.accounts.Usage(v.report.project.repo_name);
  if (!usage) return FromStatus(req, usage.status());
  std::vector<UserAllocation> out;
  for (const auto& member : v.members)
    if (auto entries =
            UserEntries(capability, v.report, member, member == req.principal->user, *usage))
      out.push_back({member, std::move(*entries)});
  return out;
}

json::object UserAllocationJson(const UserAllocation& a, const std::string& allocation_id,
                                const std::string& allocation_uri) {
  return {{"id", allocation_id + "." + a.user},
          {"user_id", a.user},
          {"entries", EntriesJson(a.entries)},
          {"project_allocation_uri", allocation_uri}};
}

// Runs `answer` with the project, allocation capability and user allocations the path names.
template <typename F>
http::Response WithUserAllocations(IriContext& ctx, http::Request& req, F answer) {
  auto project = FindProject(ctx, req);
  if (auto* refused = std::get_if<http::Response>(&project)) return std::move(*refused);
  const ProjectView& v = std::get<ProjectView>(project);
  auto capability = FindAllocation(v, req);
  if (auto* refused = std::get_if<http::Response>(&capability)) return std::move(*refused);
  const std::string& cap = std::get<std::string>(capability);
  auto users = UserAllocations(ctx, v, cap, req);
  if (auto* refused = std::get_if<http::Response>(&users)) return std::move(*refused);
  const std::string allocation_id = AllocationId(v, cap);
  return answer(std::get<std::vector<UserAllocation>>(users), allocation_id,
                v.uri + "/project_allocations/" + allocation_id);
}

}  // namespace

void AddAccountRoutes(IriContext& ctx) {
  const std::string tag = "account";
  std::vector<QueryParam> capability_query = {
      {.name = "name", .description = "Capabilities of this name", .min_length = 1},
      ModifiedSinceParam()};
  for (auto& p : PagingParams(1000)) capability_query.push_back(std::move(p));
  AddRoute(ctx, Access::kPublic,
           {.method = "GET",
            .path = "/account/capabilities",
            .operation_id = "getCapabilities",
            .tag = tag,
            .summary = "What allocations are given in",
            .query = std::move(capability_query),
            .answer = ListOf("Capability"),
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              const std::string base = BaseUrl(req, ctx.server);
              std::vector<json::object> kept;
              const std::string* name = q.Get("name");
              for (const auto& c : Capabilities())
                if ((!name || *name == c.name) && ChangedSince(q, ctx.started))
                  kept.push_back(CapabilityJson(c, base, ctx.started));
              json::array out;
              for (auto& c : Page(std::move(kept), q)) out.push_back(std::move(c));
              return http::Response::Json(std::move(out));
            }});
  AddRoute(
      ctx, Access::kPublic,
      {.method = "GET",
       .path = "/account/capabilities/{capability_id}",
       .operation_id = "getCapability",
       .tag = tag,
       .summary = "One capability",
       .path_params = {{"capability_id", "The capability's id"}},
       .query = {ModifiedSinceParam()},
       .answer = SchemaRef("Capability"),
       .handler = [&ctx](http::Request& req, const QueryValues& q) {
         const CapabilityDef* c = FindCapability(req.PathParam("capability_id"));
         if (!c) return Problem(req, 404, "no capability '" + req.PathParam("capability_id") + "'");
         if (auto not_modified = NotModified(q, ctx.started)) return std::move(*not_modified);
         return http::Response::Json(CapabilityJson(*c, BaseUrl(req, ctx.server), ctx.started));
       }});
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = "/account/projects",
            .operation_id = "getProjects",
            .tag = tag,
            .summary = "The caller's projects",
            .answer = ListOf("Project"),
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              auto reports = ctx.accounts.Projects(req.principal->user);
              if (!reports) return FromStatus(req, reports.status());
              const std::string base = BaseUrl(req, ctx.server);
              json::array out;
              for (auto& r : *reports) {
                auto members = ctx.accounts.Members(r.project.id);
                if (!members) return FromStatus(req, members.status());
                std::string uri = base + "/account/projects/" + r.project.repo_name;
                ProjectView v{std::move(r), {}, std::move(uri)};
                for (const auto& m : *members) v.members.push_back(m.user);
                out.push_back(ProjectJson(v, ctx.started));
              }
              return http::Response::Json(std::move(out));
            }});
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = "/account/projects/{project_id}",
            .operation_id = "getProject",
            .tag = tag,
            .summary = "One of the caller's projects",
            .path_params = {{"project_id", "The project's id (its name)"}},
            .answer = SchemaRef("Project"),
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              auto project = FindProject(ctx, req);
              if (auto* refused = std::get_if<http::Response>(&project)) return std::move(*refused);
              return http::Response::Json(ProjectJson(std::get<ProjectView>(project), ctx.started));
            }});
  const std::string allocations = "/account/projects/{project_id}/project_allocations";
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = allocations,
            .operation_id = "getProjectAllocationsByProject",
            .tag = tag,
            .summary = "A project's allocations",
            .path_params = {{"project_id", "The project's id"}},
            .answer = ListOf("ProjectAllocation"),
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              auto project = FindProject(ctx, req);
              if (auto* refused = std::get_if<http::Response>(&project)) return std::move(*refused);
              const ProjectView& v = std::get<ProjectView>(project);
              const std::string base = BaseUrl(req, ctx.server);
              json::array out;
              for (const auto& [capability, entries] : AllocationsOf(v.report).by_capability)
                out.push_back(AllocationJson(v, capability, entries, base));
              return http::Response::Json(std::move(out));
            }});
  AddRoute(
      ctx, Access::kRead,
      {.method = "GET",
       .path = allocations + "/{project_allocation_id}",
       .operation_id = "getProjectAllocationByProject",
       .tag = tag,
       .summary = "One allocation of a project",
       .path_params = {{"project_id", "The project's id"},
                       {"project_allocation_id", "The allocation's id"}},
       .answer = SchemaRef("ProjectAllocation"),
       .execution = http::Execution::kBlocking,
       .handler = [&ctx](http::Request& req, const QueryValues&) {
         auto project = FindProject(ctx, req);
         if (auto* refused = std::get_if<http::Response>(&project)) return std::move(*refused);
         const ProjectView& v = std::get<ProjectView>(project);
         auto capability = FindAllocation(v, req);
         if (auto* refused = std::get_if<http::Response>(&capability)) return std::move(*refused);
         for (const auto& [cap, entries] : AllocationsOf(v.report).by_capability)
           if (cap == std::get<std::string>(capability))
             return http::Response::Json(AllocationJson(v, cap, entries, BaseUrl(req, ctx.server)));
         return Problem(req, 404, "no such allocation");
       }});
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = allocations + "/{project_allocation_id}/user_allocations",
            .operation_id = "getUserAllocationsByProjectAllocation",
            .tag = tag,
            .summary = "The members' shares of a project allocation",
            .path_params = {{"project_id", "The project's id"},
                            {"project_allocation_id", "The allocation's id"}},
            .answer = ListOf("UserAllocation"),
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              return WithUserAllocations(ctx, req,
                                         [](const std::vector<UserAllocation>& users,
                                            const std::string& id, const std::string& uri) {
                                           json::array out;
                                           for (const auto& a : users)
                                             out.push_back(UserAllocationJson(a, id, uri));
                                           return http::Response::Json(std::move(out));
                                         });
            }});
  AddRoute(ctx, Access::kRead,
           {.method = "GET",
            .path = allocations + "/{project_allocation_id}/user_allocations/{user_allocation_id}",
            .operation_id = "getUserAllocationByProjectAllocation",
            .tag = tag,
            .summary = "One member's share of a project allocation",
            .path_params = {{"project_id", "The project's id"},
                            {"project_allocation_id", "The allocation's id"},
                            {"user_allocation_id", "The user allocation's id"}},
            .answer = SchemaRef("UserAllocation"),
            .execution = http::Execution::kBlocking,
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              return WithUserAllocations(
                  ctx, req,
                  [&req](const std::vector<UserAllocation>& users, const std::string& id,
                         const std::string& uri) {
                    for (const auto& a : users)
                      if (id + "." + a.user == req.PathParam("user_allocation_id"))
                        return http::Response::Json(UserAllocationJson(a, id, uri));
                    return Problem(
                        req, 404,
                        "no user allocation '" + req.PathParam("user_allocation_id") + "'");
                  });
            }});
}

}  // namespace sfapid::iri
