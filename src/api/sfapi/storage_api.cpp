// /storage/globus/transfer: start, check (spec §2.7) and cancel (an sfapid extension) transfers
// between endpoints, done by rsync as the user.
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/request_model.h"
#include "api/sfapi/params.h"
#include "api/sfapi/sfapi_api.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::Operation;
using openapi::Ref;

namespace {

json::object ResultJson(const TransferRecord& t) {
  json::value completion = nullptr;
  if (t.completed_at) completion = FormatIso8601(*t.completed_at);
  return {{"status", "OK"},
          {"reason", t.reason.empty() ? json::value(nullptr) : json::value(t.reason)},
          {"globus_status", t.status},
          {"bytes_transferred", t.bytes_transferred},
          {"completion_time", completion},
          {"effective_bytes_per_second", t.bytes_per_second},
          {"label", t.label},
          {"source", t.source_endpoint + ":" + t.source_path},
          {"target", t.target_endpoint + ":" + t.target_path}};
}

const api::RequestModel& StartTransferForm() {
  static const api::RequestModel model(
      "Body_start_globus_transfer",
      {{.name = "source_uuid",
        .required = true,
        .description = "Endpoint id: dtn, a compute system, or one from config"},
       {.name = "target_uuid", .required = true},
       {.name = "source_dir",
        .required = true,
        .description = "A file or a folder (its contents are copied)"},
       {.name = "target_dir", .required = true},
       {.name = "label", .default_value = ""}});
  return model;
}

void AddSchemas(json::object& schemas) {
  json::object nullable_string{
      {"anyOf", json::array{json::object{{"type", "string"}}, json::object{{"type", "null"}}}}};
  schemas["GlobusTransfer"] =
      json::object{{"type", "object"},
                   {"required", json::array{"transfer_id", "status", "reason"}},
                   {"properties",
                    {{"transfer_id", {{"type", "string"}}},
                     {"status", openapi::EnumSchema({"OK", "ERROR"})},
                     {"reason", nullable_string}}}};
  schemas["GlobusTransferResult"] = json::object{
      {"type", "object"},
      {"required", json::array{"status", "reason"}},
      {"properties",
       {{"status", openapi::EnumSchema({"OK", "ERROR"})},
        {"reason", nullable_string},
        {"globus_status", openapi::EnumSchema({"ACTIVE", "SUCCEEDED", "FAILED", "CANCELED"})},
        {"bytes_transferred", {{"type", "integer"}}},
        {"completion_time",
         {{"anyOf", json::array{json::object{{"type", "string"}, {"format", "date-time"}},
                                json::object{{"type", "null"}}}}}},
        {"effective_bytes_per_second", {{"type", "integer"}}}}}};
  StartTransferForm().Document(schemas);
}

}  // namespace

void AddStorageRoutes(ApiContext& ctx) {
  AddSchemas(ctx.schemas);
  TransferService& transfers = ctx.transfers;
  const std::string p = std::string(kPrefix) + "/storage/globus/transfer";

  ctx.router.Add(
      {.method = "POST",
       .pattern = p,
       .handler =
           [&transfers](http::Request& req) {
             auto form = StartTransferForm().Parse(req);
             if (!form) return form.refusal();
             TransferRequest r;
             r.source_endpoint = form->String("source_uuid");
             r.target_endpoint = form->String("target_uuid");
             r.source_path = form->String("source_dir");
             r.target_path = form->String("target_dir");
             r.label = form->String("label");
             auto id = transfers.Start(req.principal->user, r);
             if (!id && id.status().code() == Code::kPermissionDenied)
               return http::FromStatus(id.status());
             if (!id)
               return http::Response::Json(json::object{
                   {"transfer_id", ""}, {"status", "ERROR"}, {"reason", id.status().message()}});
             return http::Response::Json(
                 json::object{{"transfer_id", *id}, {"status", "OK"}, {"reason", nullptr}});
           },
       .execution = http::Execution::kBlocking,
       .operation =
           Operation("Start Globus Transfer", "storage",
                     "start_globus_transfer_storage_globus_transfer_post")
               .Description("Copies a file or a folder between endpoints with rsync, as the user")
               .FormBody(StartTransferForm().name())
               .Returns(Ref("GlobusTransfer"))
               .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/{id}",
       .handler =
           [&transfers](http::Request& req) {
             auto t = transfers.Get(req.PathParam("id"), req.principal->user);
             if (!t) return http::FromStatus(t.status());
             return http::Response::Json(ResultJson(*t));
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Check Globus Transfer", "storage",
                              "check_globus_transfer_storage_globus_transfer__globus_uuid__get")
                        .PathParam("id", "The transfer id")
                        .Returns(Ref("GlobusTransferResult"))
                        .Build()});

  ctx.router.Add(
      {.method = "DELETE",
       .pattern = p + "/{id}",
       .handler =
           [&transfers](http::Request& req) {
             const std::string& id = req.PathParam("id");
             if (Status s = transfers.Cancel(id, req.principal->user); !s.ok())
               return http::FromStatus(s);
             auto t = transfers.Get(id, req.principal->user);
             if (!t) return http::FromStatus(t.status());
             return http::Response::Json(ResultJson(*t));
           },
       .execution = http::Execution::kBlocking,
       .operation = Operation("Cancel Globus Transfer", "storage",
                              "cancel_globus_transfer_storage_globus_transfer__id__delete")
                        .Description("sfapid extension: stops a running transfer; it ends CANCELED")
                        .PathParam("id", "The transfer id")
                        .Returns(Ref("GlobusTransferResult"))
                        .Build()});
}

}  // namespace sfapid::sfapi
