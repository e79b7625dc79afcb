// sfapid extension (docs/large-files.md): files of any size under /utilities. GET
// /utilities/files streams a file's bytes with Range and ETag, so a cut download resumes where it
// stopped; /utilities/uploads takes a file in chunks at any offsets, in any order, retried at will,
// and puts it in place when every byte is there and its SHA-256 holds. The v1.2 download and
// upload routes keep their exact behaviour.
#include <boost/json.hpp>

#include "api/openapi/operation.h"
#include "api/sfapi/params.h"
#include "api/sfapi/sfapi_api.h"
#include "core/files/file_stream.h"
#include "http/byte_range.h"
#include "http/etag_match.h"
#include "util/time_format.h"

namespace sfapid::sfapi {

namespace json = boost::json;
using openapi::Operation;
using openapi::Ref;

namespace {

json::object UploadJson(const UploadState& u, std::size_t chunk_max_bytes) {
  json::array received;
  for (const ByteSpan& s : u.received)
    received.push_back(json::object{{"offset", s.offset}, {"length", s.length}});
  const UploadRecord& r = u.record;
  return json::object{
      {"upload_id", r.id},
      {"machine", r.system},
      {"path", r.path},
      {"size", r.size},
      {"state", r.state},
      {"received_bytes", u.received_bytes()},
      {"received", std::move(received)},
      {"sha256", r.sha256.empty() ? json::value(nullptr) : json::value(r.sha256)},
      {"chunk_max_bytes", static_cast<int64_t>(chunk_max_bytes)},
      {"expires_at", FormatIso8601(TimePoint{std::chrono::seconds{r.expires_ms / 1000}})}};
}

void AddSchemas(json::object& schemas) {
  json::object span{
      {"type", "object"},
      {"required", json::array{"offset", "length"}},
      {"properties", {{"offset", {{"type", "integer"}}}, {"length", {{"type", "integer"}}}}}};
  schemas["UploadSession"] = json::object{
      {"type", "object"},
      {"required", json::array{"upload_id", "machine", "path", "size", "state", "received_bytes",
                               "received", "chunk_max_bytes", "expires_at"}},
      {"properties",
       {{"upload_id", {{"type", "string"}}},
        {"machine", {{"type", "string"}}},
        {"path", {{"type", "string"}}},
        {"size", {{"type", "integer"}}},
        {"state", openapi::EnumSchema({"open", "complete"})},
        {"received_bytes", {{"type", "integer"}}},
        {"received", {{"type", "array"}, {"items", std::move(span)}}},
        {"sha256", openapi::NullableString()},
        {"chunk_max_bytes", {{"type", "integer"}}},
        {"expires_at", {{"type", "string"}, {"format", "date-time"}}}}}};
}

// A JSON object body, or the 422 that says why not.
std::optional<json::object> ObjectBody(const http::Request& req,
                                       std::optional<http::Response>& error) {
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec || !v.is_object()) {
    error = http::ValidationError({{"body"}, "a JSON object is required", "type_error.dict"});
    return std::nullopt;
  }
  return std::move(v.as_object());
}

const json::string* StringMember(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

http::Response FileResponse(const http::Request& req, UserFile file) {
  const std::string etag = FileEtag(file);
  http::Response r;
  r.content_type = "application/octet-stream";
  r.headers = {{"ETag", etag}, {"Accept-Ranges", "bytes"}};
  if (const std::string* none_match = req.Header("if-none-match");
      none_match && http::NoneMatchNames(*none_match, etag)) {
    r.status = 304;
    return r;
  }
  http::RangeAnswer range;
  const std::string* if_range = req.Header("if-range");
  // A resumed download names the version it has: another version is sent whole.
  if (const std::string* header = req.Header("range"); header && (!if_range || *if_range == etag))
    range = http::ParseRange(*header, file.size);
  const int64_t size = file.size;
  if (range.kind == http::RangeAnswer::Kind::kUnsatisfiable) {
    r = http::DetailError(416,
                          "the range is outside the file's " + std::to_string(size) + " bytes");
    r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  auto body = std::make_shared<http::FileBody>();
  body->fd = std::move(file.fd);
  body->length = size;
  if (range.kind == http::RangeAnswer::Kind::kPart) {
    r.status = 206;
    body->offset = range.range.first;
    body->length = range.range.length();
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.range.first) + "-" +
                                                std::to_string(range.range.last) + "/" +
                                                std::to_string(size));
  }
  r.file = std::move(body);
  return r;
}

}  // namespace

void AddLargeFileRoutes(ApiContext& ctx) {
  AddSchemas(ctx.schemas);
  const std::string p = std::string(kPrefix) + "/utilities";
  FileStreams& streams = ctx.file_streams;
  ResumableUploads& uploads = ctx.uploads;
  const std::size_t chunk_max = ctx.utilities.upload_chunk_max_bytes;
  auto render = [chunk_max](const Result<UploadState>& r, int status = 200) {
    return r ? http::Response::Json(status, UploadJson(*r, chunk_max))
             : http::FromStatus(r.status());
  };
  auto upload_op = [](const char* summary, const char* id) {
    return Operation(summary, "utilities", id)
        .Description("sfapid extension (docs/large-files.md)")
        .PathParam("upload_id", "What starting the upload answered");
  };

  ctx.router.Add(
      {.method = "GET",
       .pattern = p + "/files/{machine}/{path:path}",
       .handler =
           [&streams](http::Request& req) {
             auto file = streams.OpenForReading(req.principal->user, req.PathParam("machine"),
                                                req.PathParam("path"));
             if (!file) return http::FromStatus(file.status());
             return FileResponse(req, std::move(*file));
           },
       .execution = http::Execution::kBlocking,
       .operation =
           Operation("Stream File", "utilities", "stream_file_utilities_files__machine___path__get")
               .Description("sfapid extension: the file's bytes, any size, with Range (one range: "
                            "206, past the end: 416), ETag, If-Range and If-None-Match")
               .PathParam("machine", "The system, e.g. perlmutter")
               .PathParam("path", "An absolute path")
               .ReturnsMedia(200, "application/octet-stream", "The whole file",
                             {"ETag", "Accept-Ranges"})
               .ReturnsMedia(206, "application/octet-stream", "The range asked for",
                             {"ETag", "Content-Range"})
               .Error(304, "If-None-Match names the file's ETag")
               .Error(416, "The range starts past the end of the file")
               .Build()});

  ctx.router.Add(
      {.method = "POST",
       .pattern = p + "/uploads",
       .handler =
           [&uploads, render](http::Request& req) {
             std::optional<http::Response> bad;
             auto body = ObjectBody(req, bad);
             if (!body) return *bad;
             const json::string* machine = StringMember(*body, "machine");
             const json::string* path = StringMember(*body, "path");
             const json::value* size = body->if_contains("size");
             if (!machine || !path || !size || !size->is_int64())
               return http::ValidationError(
                   {{"body"},
                    "machine and path (strings) and size (a whole number) are required",
                    "value_error.missing"});
             return render(uploads.Start(req.principal->user, std::string(*machine),
                                         std::string(*path), size->as_int64()),
                           201);
           },
       .execution = http::Execution::kBlocking,
       .operation =
           Operation("Start Upload", "utilities", "start_upload_utilities_uploads_post")
               .Description("sfapid extension: a resumable upload of `size` bytes to `path`; the "
                            "hidden part file is made at once, as the user")
               .Body("application/json", {{"type", "object"},
                                          {"required", json::array{"machine", "path", "size"}},
                                          {"properties",
                                           {{"machine", {{"type", "string"}}},
                                            {"path", {{"type", "string"}}},
                                            {"size", {{"type", "integer"}, {"minimum", 0}}}}}})
               .Returns(Ref("UploadSession"))
               .Build()});

  ctx.router.Add({.method = "GET",
                  .pattern = p + "/uploads/{upload_id}",
                  .handler =
                      [&uploads, render](http::Request& req) {
                        return render(uploads.Get(req.principal->user, req.PathParam("upload_id")));
                      },
                  .execution = http::Execution::kBlocking,
                  .operation = upload_op("Get Upload", "get_upload_utilities_uploads__id__get")
                                   .Returns(Ref("UploadSession"))
                                   .Build()});

  ctx.router.Add({.method = "PUT",
                  .pattern = p + "/uploads/{upload_id}",
                  .handler =
                      [&uploads, render](http::Request& req) {
                        std::optional<http::Response> bad;
                        const auto offset = QueryInt(req, "offset", 0, bad);
                        if (bad) return *bad;
                        if (!offset)
                          return http::ValidationError(
                              {{"query", "offset"}, "field required", "value_error.missing"});
                        return render(uploads.WriteChunk(
                            req.principal->user, req.PathParam("upload_id"), *offset, req.body));
                      },
                  .execution = http::Execution::kBlocking,
                  .max_body_bytes = chunk_max,
                  .operation = upload_op("Put Chunk", "put_chunk_utilities_uploads__id__put")
                                   .QueryParam("offset", {{"type", "integer"}, {"minimum", 0}},
                                               "Where in the file the chunk's bytes go", true)
                                   .Body("application/octet-stream",
                                         {{"type", "string"}, {"format", "binary"}})
                                   .Returns(Ref("UploadSession"))
                                   .Error(409, "The upload is complete")
                                   .Error(413, "The chunk is larger than chunk_max_bytes")
                                   .Build()});

  ctx.router.Add(
      {.method = "POST",
       .pattern = p + "/uploads/{upload_id}/complete",
       .handler =
           [&uploads, render](http::Request& req) {
             std::optional<http::Response> bad;
             auto body = ObjectBody(req, bad);
             if (!body) return *bad;
             const json::string* sha = StringMember(*body, "sha256");
             if (!sha)
               return http::ValidationError(
                   {{"body", "sha256"}, "field required", "value_error.missing"});
             return render(uploads.Complete(req.principal->user, req.PathParam("upload_id"),
                                            std::string(*sha)));
           },
       .execution = http::Execution::kBlocking,
       .operation =
           upload_op("Complete Upload", "complete_upload_utilities_uploads__id__complete_post")
               .Body("application/json", {{"type", "object"},
                                          {"required", json::array{"sha256"}},
                                          {"properties", {{"sha256", {{"type", "string"}}}}}})
               .Returns(Ref("UploadSession"))
               .Error(400, "The checksum differs (the upload stays open) or is malformed")
               .Error(409, "Bytes are missing; the detail lists them")
               .Build()});

  ctx.router.Add(
      {.method = "DELETE",
       .pattern = p + "/uploads/{upload_id}",
       .handler =
           [&uploads](http::Request& req) {
             Status s = uploads.Abort(req.principal->user, req.PathParam("upload_id"));
             if (!s.ok()) return http::FromStatus(s);
             return http::Response::Json(json::object{{"status", "OK"}});
           },
       .execution = http::Execution::kBlocking,
       .operation = upload_op("Abort Upload", "abort_upload_utilities_uploads__id__delete")
                        .Description("Removes the part file and forgets the upload")
                        .Returns(json::object{{"type", "object"},
                                              {"properties", {{"status", {{"type", "string"}}}}}})
                        .Build()});
}

}  // namespace sfapid::sfapi
