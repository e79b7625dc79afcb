// /utilities: ls, download, upload and run a command on a system, as the calling user (spec §2.5).
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/request_model.h"
#include "api/sfapi/file_replies.h"
#include "api/sfapi/params.h"
#include "api/sfapi/sfapi_api.h"
#include "api/sfapi/task_accepted.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::Operation;
using openapi::Ref;

namespace {

const api::RequestModel& UploadForm() {
  static const api::RequestModel model(
      "Body_upload_file", {{.name = "file", .type = api::FieldType::kFile, .required = true}});
  return model;
}

const api::RequestModel& RunCommandForm() {
  static const api::RequestModel model(
      "Body_run_command", {{.name = "executable",
                            .required = true,
                            .description = "Run with bash -c as the user, in their home"}});
  return model;
}

void AddSchemas(json::object& schemas) {
  schemas["DirectoryEntry"] = json::object{{"type", "object"},
                                           {"properties",
                                            {{"perms", {{"type", "string"}}},
                                             {"hardlinks", {{"type", "integer"}}},
                                             {"user", {{"type", "string"}}},
                                             {"group", {{"type", "string"}}},
                                             {"size", {{"type", "number"}}},
                                             {"date", {{"type", "string"}}},
                                             {"name", {{"type", "string"}}}}}};
  schemas["DirectoryOutput"] = json::object{{"type", "object"},
                                            {"required", json::array{"status", "entries"}},
                                            {"properties",
                                             {{"status", openapi::EnumSchema({"OK", "ERROR"})},
                                              {"entries", openapi::ArrayOf(Ref("DirectoryEntry"))},
                                              {"error", openapi::NullableString()}}}};
  schemas["FileDownload"] = json::object{{"type", "object"},
                                         {"required", json::array{"status"}},
                                         {"properties",
                                          {{"status", openapi::EnumSchema({"OK", "ERROR"})},
                                           {"file", openapi::NullableString()},
                                           {"is_binary", {{"type", "boolean"}}},
                                           {"error", openapi::NullableString()}}}};
  schemas["UploadResult"] = json::object{{"type", "object"},
                                         {"required", json::array{"status"}},
                                         {"properties",
                                          {{"status", openapi::EnumSchema({"OK", "ERROR"})},
                                           {"output", openapi::NullableString()},
                                           {"error", openapi::NullableString()}}}};
  schemas["CommandOutput"] = json::object{{"type", "object"},
                                          {"required", json::array{"task_id", "status"}},
                                          {"properties",
                                           {{"task_id", {{"type", "string"}}},
                                            {"status", openapi::EnumSchema({"OK", "ERROR"})},
                                            {"error", openapi::NullableString()}}}};
  UploadForm().Document(schemas);
  RunCommandForm().Document(schemas);
}

Operation PathOp(const char* summary, const char* id) {
  return Operation(summary, "utilities", id)
      .PathParam("machine", "The system, e.g. perlmutter")
      .PathParam("path", "An absolute path; a leading double slash and %2F are accepted");
}

}  // namespace

void AddUtilitiesRoutes(ApiContext& ctx) {
  AddSchemas(ctx.schemas);
  const std::string p = std::string(kPrefix) + "/utilities";
  FileService& files = ctx.files;
  CommandService& commands = ctx.commands;
  const TaskAnswerWait answer_wait = AnswerWaitOf(ctx);
  // A service's typed result in its wire shape, or the HTTP error of its Status.
  auto render = [](const auto& r, auto&& to_json) {
    return r ? http::Response::Json(to_json(*r)) : http::FromStatus(r.status());
  };

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/ls/{machine}/{path:path}",
       .handler =
           [&files, render](http::Request& req) {
             return render(
                 files.List(req.principal->user, req.PathParam("machine"), req.PathParam("path")),
                 DirectoryOutputJson);
           },
       .execution = http::Execution::kBlocking,
       .operation = PathOp("Read Directory", "read_directory_utilities_ls__machine___path__get")
                        .Description("ls -la of a folder (. and .. first), a file or a symlink")
                        .Returns(Ref("DirectoryOutput"))
                        .Build()});

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/download/{machine}/{path:path}",
       .handler =
           [&files, render](http::Request& req) {
             std::optional<http::Response> bad;
             const bool binary = QueryBool(req, "binary", false, bad);
             if (bad) return *bad;
             return render(files.Download(req.principal->user, req.PathParam("machine"),
                                          req.PathParam("path")),
                           [binary](const FileContent& c) { return FileDownloadJson(c, binary); });
           },
       .execution = http::Execution::kBlocking,
       .operation = PathOp("Download File", "download_file_utilities_download__machine___path__get")
                        .QueryParam("binary", {{"type", "boolean"}, {"default", false}},
                                    "If true the file will be returned base64-encoded")
                        .Returns(Ref("FileDownload"))
                        .Build()});

  ctx.router.Add(
      {.method = "PUT",
       .pattern = p + "/upload/{machine}/{path:path}",
       .handler =
           [&files, render](http::Request& req) {
             auto form = UploadForm().Parse(req);
             if (!form) return form.refusal();
             return render(files.Upload(req.principal->user, req.PathParam("machine"),
                                        req.PathParam("path"), form->String("file")),
                           UploadResultJson);
           },
       .execution = http::Execution::kBlocking,
       // Room for the largest upload plus the multipart framing.
       .max_body_bytes = ctx.utilities.upload_max_bytes + 64 * 1024,
       .operation = PathOp("Upload File", "upload_file_utilities_upload__machine___path__put")
                        .Description("Writes the multipart field 'file' to the path, replacing it")
                        .MultipartBody(UploadForm().name())
                        .Returns(Ref("UploadResult"))
                        .Build()});

  ctx.router.Add(
      {.method = "POST",
       .pattern = p + "/command/{machine}",
       .handler =
           [&commands, answer_wait](http::Request& req) {
             auto form = RunCommandForm().Parse(req);
             if (!form) return form.refusal();
             const std::string& user = req.principal->user;
             return TaskAccepted(answer_wait, user,
                                 commands.Run(user, req.PathParam("machine"),
                                              form->String("executable"), req.idempotency_token));
           },
       .execution = http::Execution::kBlocking,
       .operation =
           Operation("Run Command", "utilities", "run_command_utilities_command__machine__post")
               .PathParam("machine", "The system, e.g. perlmutter")
               .Description(kAnsweredOnceEnded)
               .FormBody(RunCommandForm().name())
               .Returns(Ref("CommandOutput"))
               .Build()});
}

}  // namespace sfapid::sfapi
