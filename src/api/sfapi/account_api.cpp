// /account: the caller's user, projects, roles, groups and API clients (spec §2.3). Each route
// reads the request, calls the accounts or groups service and renders the exact wire shape.
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/request_model.h"
#include "api/sfapi/params.h"
#include "api/sfapi/sfapi_api.h"
#include "http/errors.h"
#include "util/byte_size.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::ArrayOf;
using openapi::Operation;
using openapi::Ref;

namespace {

// Optional strings are null when there is nothing to say, never "" (pydantic's Optional[str]).
json::value OrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::object UserJson(const UserInfo& u) {
  return {{"uid", u.uid},
          {"name", u.name},
          {"firstname", OrNull(u.details.firstname)},
          {"lastname", OrNull(u.details.lastname)},
          {"middlename", OrNull(u.details.middlename)},
          {"workphone", OrNull(u.details.workphone)},
          {"otherPhones", OrNull(u.details.other_phones)},
          {"email", OrNull(u.details.email)}};
}

json::object StorageJson(const StorageReport& s) {
  return {{"name", s.name},
          {"bytes_given", static_cast<double>(s.bytes_given)},
          {"bytes_used", static_cast<double>(s.bytes_used)},
          {"bytes_given_human", FormatByteSize(static_cast<double>(s.bytes_given))},
          {"bytes_used_human", FormatByteSize(static_cast<double>(s.bytes_used))},
          {"files_given", static_cast<double>(s.files_given)},
          {"files_used", static_cast<double>(s.files_used)}};
}

json::object ProjectJson(const ProjectReport& r) {
  const ProjectRecord& p = r.project;
  const double given = p.cpu_hours_given + p.gpu_hours_given;
  // Every charge counts as CPU time: schedulers do not yet report which jobs ran on GPU nodes.
  json::array projdir, hpss;
  for (const auto& s : r.projdir_usage) projdir.push_back(StorageJson(s));
  for (const auto& s : r.hpss_usage) hpss.push_back(StorageJson(s));
  return {{"id", p.id},
          {"description", p.description},
          {"repo_name", p.repo_name},
          {"iris_role", RoleTitle(r.role)},
          {"hours_given", given},
          {"hours_used", r.user_hours_used},
          {"project_hours_given", given},
          {"project_hours_used", r.project_hours_used},
          {"cpu_hours_given", p.cpu_hours_given},
          {"cpu_hours_used", r.user_hours_used},
          {"cpu_project_hours_given", p.cpu_hours_given},
          {"cpu_project_hours_used", r.project_hours_used},
          {"gpu_hours_given", p.gpu_hours_given},
          {"gpu_hours_used", 0.0},
          {"gpu_project_hours_given", p.gpu_hours_given},
          {"gpu_project_hours_used", 0.0},
          {"projdir_usage", std::move(projdir)},
          {"project_projdir_usage",
           r.project_projdir_usage ? json::value(StorageJson(*r.project_projdir_usage)) : nullptr},
          {"hpss_usage", std::move(hpss)}};
}

json::object GroupJson(const GroupReport& g) {
  json::array users;  // always a list, [] when the group is empty (spec §5 #10)
  for (const auto& u : g.users) users.push_back(json::object{{"uid", u.uid}, {"name", u.name}});
  return {{"gid", g.record.gid}, {"name", g.record.name}, {"users", std::move(users)}};
}

// The routes without input answer for the caller only; a `username` naming someone else is
// refused rather than silently answered for the caller.
std::optional<http::Response> OnlySelf(const http::Request& req, const char* what) {
  const std::string* username = req.Query("username");
  if (username && *username != req.principal->user)
    return http::DetailError(403, std::string("You can only read your own ") + what);
  return std::nullopt;
}

// The group's name is judged by the group service (an InvalidField "name"); only its length is
// pydantic's, as NERSC's schema declares it.
const api::RequestModel& CreateGroupForm() {
  static const api::RequestModel model(
      "Body_create_group_account_groups_post",
      {{.name = "name",
        .required = true,
        .description = "1-8 ASCII characters: lower-case letters, digits, '_' or '-'",
        .max_length = 8},
       {.name = "repo_name", .required = true, .description = "The project the group belongs to"}});
  return model;
}

const api::RequestModel& UpdateGroupForm() {
  static const api::RequestModel model(
      "Body_update_group_membership_account_groups__group__put",
      {{.name = "usernames", .required = true, .description = "Comma-separated user names"},
       {.name = "action", .required = true, .choices = {"batch_add", "batch_remove"}}});
  return model;
}

std::vector<std::string> SplitUsernames(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string name = text.substr(start, comma - start);
    const size_t a = name.find_first_not_of(" \t"), b = name.find_last_not_of(" \t");
    if (a != std::string::npos) out.push_back(name.substr(a, b - a + 1));
    start = comma + 1;
  }
  return out;
}

json::object NullableOf(json::object schema) {
  return {{"anyOf", json::array{std::move(schema), json::object{{"type", "null"}}}}};
}

void AddSchemas(json::object& schemas) {
  const json::object str{{"type", "string"}}, num{{"type", "number"}}, integer{{"type", "integer"}};
  schemas["Client"] = json::object{{"type", "object"},
                                   {"required", json::array{"name", "clientId", "expiresAt"}},
                                   {"properties",
                                    {{"name", str},
                                     {"clientId", str},
                                     {"expiresAt", {{"type", "string"}, {"format", "date-time"}}},
                                     {"comments", str}}}};
  json::object user_props{{"uid", integer}, {"name", str}};
  for (const char* k : {"firstname", "lastname", "middlename", "workphone", "otherPhones", "email"})
    user_props[k] = NullableOf(str);
  schemas["UserInfo"] = json::object{
      {"type", "object"}, {"required", json::array{"uid", "name"}}, {"properties", user_props}};
  schemas["UserStats"] = json::object{{"type", "object"},
                                      {"required", json::array{"uid", "name"}},
                                      {"properties", {{"uid", integer}, {"name", str}}}};
  schemas["GroupStats"] = json::object{
      {"type", "object"},
      {"required", json::array{"gid", "name", "users"}},
      {"properties", {{"gid", integer}, {"name", str}, {"users", ArrayOf(Ref("UserStats"))}}}};
  schemas["GroupList"] =
      json::object{{"type", "object"}, {"properties", {{"groups", ArrayOf(Ref("GroupStats"))}}}};
  schemas["StorageStats"] = json::object{{"type", "object"},
                                         {"required", json::array{"name"}},
                                         {"properties",
                                          {{"name", str},
                                           {"bytes_given", num},
                                           {"bytes_used", num},
                                           {"bytes_given_human", str},
                                           {"bytes_used_human", str},
                                           {"files_given", num},
                                           {"files_used", num}}}};
  schemas["RoleStats"] = json::object{
      {"type", "object"},
      {"required", json::array{"id", "description", "repo_name"}},
      {"properties",
       {{"id", integer},
        {"description", str},
        {"repo_name", str},
        {"iris_role", NullableOf(openapi::EnumSchema({"PI", "PI Proxy", "Member"}))}}}};
  json::object project_props{
      {"id", integer}, {"description", str}, {"repo_name", str}, {"iris_role", NullableOf(str)}};
  for (const char* prefix : {"", "cpu_", "gpu_"})
    for (const char* k : {"hours_given", "hours_used", "project_hours_given", "project_hours_used"})
      project_props[std::string(prefix) + k] = num;
  project_props["projdir_usage"] = ArrayOf(Ref("StorageStats"));
  project_props["project_projdir_usage"] = NullableOf(Ref("StorageStats"));
  project_props["hpss_usage"] = ArrayOf(Ref("StorageStats"));
  schemas["ProjectStats"] =
      json::object{{"type", "object"},
                   {"required", json::array{"id", "description", "repo_name"}},
                   {"properties", project_props}};
  CreateGroupForm().Document(schemas);
  UpdateGroupForm().Document(schemas);
}

}  // namespace

void AddAccountRoutes(ApiContext& ctx) {
  AddSchemas(ctx.schemas);
  const std::string p = std::string(kPrefix) + "/account";
  ClientRegistry& clients = ctx.clients;
  AccountService& accounts = ctx.accounts;
  GroupService& groups = ctx.groups;

  ctx.router.Add(
      {.method = "GET",
       .pattern = p,
       .handler =
           [&accounts](http::Request& req) {
             const std::string* username = req.Query("username");
             const std::string& caller = req.principal->user;
             auto user =
                 accounts.User(username ? *username : caller, !username || *username == caller);
             if (!user) return http::FromStatus(user.status());
             return http::Response::Json(UserJson(*user));
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Get User", "account", "get_user_account__get")
                        .Description("A user's public details: the caller's, or another user's "
                                     "with `username`.")
                        .QueryParam("username", openapi::StringSchema(),
                                    "The user to look up (default: the caller)")
                        .Returns(Ref("UserInfo"))
                        .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/projects",
       .handler =
           [&accounts](http::Request& req) {
             if (auto refused = OnlySelf(req, "projects")) return *refused;
             auto list = accounts.Projects(req.principal->user);
             if (!list) return http::FromStatus(list.status());
             json::array out;
             for (const auto& r : *list) out.push_back(ProjectJson(r));
             return http::Response::Json(std::move(out));
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Get Projects", "account", "get_projects_account_projects_get")
                        .Description("The caller's projects: node-hours given and used (by the "
                                     "caller, and by the whole project), project folder and "
                                     "archive usage.")
                        .Returns(ArrayOf(Ref("ProjectStats")))
                        .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/roles",
       .handler =
           [&accounts](http::Request& req) {
             if (auto refused = OnlySelf(req, "roles")) return *refused;
             auto list = accounts.Roles(req.principal->user);
             if (!list) return http::FromStatus(list.status());
             json::array out;
             for (const auto& r : *list)
               out.push_back(json::object{{"id", r.membership.project_id},
                                          {"description", r.description},
                                          {"repo_name", r.membership.repo_name},
                                          {"iris_role", RoleTitle(r.membership.role)}});
             return http::Response::Json(std::move(out));
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Get Roles", "account", "get_roles_account_roles_get")
                        .Description("The caller's role (PI, PI Proxy or Member) in each of "
                                     "their projects.")
                        .Returns(ArrayOf(Ref("RoleStats")))
                        .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/groups",
       .handler =
           [&groups](http::Request& req) {
             if (auto refused = OnlySelf(req, "groups")) return *refused;
             auto list = groups.GroupsOf(req.principal->user);
             if (!list) return http::FromStatus(list.status());
             json::array out;
             for (const auto& g : *list) out.push_back(GroupJson(g));
             return http::Response::Json(json::object{{"groups", std::move(out)}});
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Get Groups", "account", "get_groups_account_groups_get")
                        .Description("The groups the caller is in, and those of the projects "
                                     "where the caller is PI or PI proxy.")
                        .Returns(Ref("GroupList"))
                        .Build()});

  ctx.router.Add(
      {.method = "POST",
       .pattern = p + "/groups",
       .handler =
           [&groups](http::Request& req) {
             const api::RequestModel& model = CreateGroupForm();
             auto form = model.Parse(req);
             if (!form) return form.refusal();
             auto g = groups.Create(req.principal->user, form->String("name"),
                                    form->String("repo_name"));
             if (!g) return model.Refusal(g.status());
             return http::Response::Json(GroupJson(*g));
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Create Group", "account", "create_group_account_groups_post")
                        .Description("Creates a group of a project; the caller must be its PI or "
                                     "a PI proxy. A Unix group when sfapid runs as root.")
                        .FormBody(CreateGroupForm().name())
                        .Returns(Ref("GroupStats"))
                        .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/groups/{group}",
       .handler =
           [&groups](http::Request& req) {
             auto g = groups.Get(req.principal->user, req.PathParam("group"));
             if (!g) return http::FromStatus(g.status());
             return http::Response::Json(GroupJson(*g));
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Get Group", "account", "get_group_account_groups__group__get")
                        .PathParam("group", "The group's name")
                        .Returns(Ref("GroupStats"))
                        .Build()});

  ctx.router.Add(
      {.method = "PUT",
       .pattern = p + "/groups/{group}",
       .handler =
           [&groups](http::Request& req) {
             auto form = UpdateGroupForm().Parse(req);
             if (!form) return form.refusal();
             const std::string& action = form->String("action");
             const auto names = SplitUsernames(form->String("usernames"));
             // The group service judges the names and the action (InvalidField -> 422).
             auto g = groups.Update(req.principal->user, req.PathParam("group"), names, action);
             if (!g) return UpdateGroupForm().Refusal(g.status());
             return http::Response::Json(GroupJson(*g));
           },
       .execution = http::Execution::kBlocking,
       .operation =
           Operation("Update Group Membership", "account",
                     "update_group_membership_account_groups__group__put")
               .Description("Adds (batch_add) or removes (batch_remove) the comma-separated "
                            "usernames; the caller must be PI or PI proxy of the group's project. "
                            "Answers the group as it is afterwards.")
               .PathParam("group", "The group's name")
               .FormBody(UpdateGroupForm().name())
               .Returns(Ref("GroupStats"))
               .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/clients",
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
