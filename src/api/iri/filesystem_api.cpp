// /filesystem (spec §2.5, §4): every operation runs as a task of the caller's (its outcome in
// Task.result, spec §5), as the user, through core's PathOperations (core/files). Validation and
// the resource lookup happen before the task is made: a 400 or 404 makes no task.
#include <boost/json.hpp>
#include <functional>

#include "api/iri/base_url.h"
#include "api/iri/body_fields.h"
#include "api/iri/iri_route.h"
#include "api/iri/iri_task.h"
#include "api/iri/problem.h"
#include "api/iri/status_model.h"
#include "api/iri/wire_time.h"
#include "http/form.h"
#include "util/base64.h"
#include "util/utf8.h"

namespace sfapid::iri {

namespace json = boost::json;

namespace {

// The spec's OPS_SIZE_LIMIT: the most a view, a download or an upload moves.
constexpr int64_t kSizeLimit = kOpsSizeLimit;

struct OpContext {
  TaskContext& task;
  PathOperations& paths;
  FileService& files;
  const std::string& user;
  const std::string& system;
  const BodyValues& body;
};

using OpWork = std::function<TaskOutcome(OpContext&, const IriCommand&)>;

struct FilesystemOp {
  std::string name;
  Access access;
  int success;
  std::vector<BodyField> fields;
  OpWork work;
  // Checks beyond the fields' types (head: exactly one of bytes and lines): the reason, or "".
  std::function<std::vector<InvalidParam>(const BodyValues&)> check;
};

// ls -l's "drwxr-xr-x" and "name -> target" as the spec's File.
json::object FileJson(const DirectoryEntry& e) {
  std::string name = e.name, target;
  const char kind = e.permissions.empty() ? '?' : e.permissions[0];
  if (kind == 'l')
    if (const size_t arrow = name.find(" -> "); arrow != std::string::npos) {
      target = name.substr(arrow + 4);
      name.resize(arrow);
    }
  const char* type = kind == 'd'   ? "directory"
                     : kind == 'l' ? "symlink"
                     : kind == '-' ? "file"
                                   : "other";
  json::object o{
      {"name", name},
      {"type", type},
      {"link_target", target.empty() ? json::value(nullptr) : json::value(target)},
      {"user", e.owner},
      {"group", e.group},
      {"permissions", e.permissions.size() > 1 ? e.permissions.substr(1) : e.permissions},
      {"last_modified", Timestamp(e.modified)},
      {"size", std::to_string(e.size)}};
  return o;
}

json::object StatJson(const PathStat& s) {
  return {{"mode", s.mode},   {"ino", s.ino},    {"dev", s.dev},   {"nlink", s.nlink},
          {"uid", s.uid},     {"gid", s.gid},    {"size", s.size}, {"atime", s.atime},
          {"ctime", s.ctime}, {"mtime", s.mtime}};
}

json::object SliceJson(const ByteSlice& s) {
  return {{"content", s.content},
          {"content_type", s.lines ? "lines" : "bytes"},
          {"start_position", s.start},
          {"end_position", s.end}};
}

// A PathOperations answer as the task's outcome: a Status (unknown system, user) or the
// operation's own error fails the task; otherwise `render` makes the output.
template <typename T, typename Render>
TaskOutcome Outcome(const IriCommand& c, const Result<PathResult<T>>& r, Render render) {
  if (!r) return IriFailure(c, r.status().message());
  if (r->error) return IriFailure(c, *r->error);
  return IriSuccess(c, render(r->value));
}

auto AsFile = [](const DirectoryEntry& e) { return json::value(FileJson(e)); };

// head, tail and view answer text: bytes that are not UTF-8 cannot travel in a JSON string (the
// spec has no encoding field), so such a part fails with a pointer to download (base64).
TaskOutcome SliceOutcome(const IriCommand& c, const Result<PathResult<ByteSlice>>& r) {
  if (r && !r->error && !IsValidUtf8(r->value.content))
    return IriFailure(c, "the content is not UTF-8 text; download gives any file, base64-encoded");
  return Outcome(c, r, [](const ByteSlice& s) { return json::value(SliceJson(s)); });
}

// The path a body names: `path`, or the reference implementation's `source_path`.
std::string PathOf(const BodyValues& b) {
  if (auto p = b.String("path")) return *p;
  return b.String("source_path").value_or("");
}

Compression CompressionOf(const BodyValues& b) {
  const std::string c = b.String("compression").value_or("urn:doe-iri:compression:gzip");
  if (c == "urn:doe-iri:compression:none") return Compression::kNone;
  if (c == "urn:doe-iri:compression:bzip2") return Compression::kBzip2;
  if (c == "urn:doe-iri:compression:xz") return Compression::kXz;
  return Compression::kGzip;
}

std::vector<InvalidParam> CheckCompression(const BodyValues& b) {
  const std::string c = b.String("compression").value_or("urn:doe-iri:compression:gzip");
  for (const char* known : {"none", "gzip", "bzip2", "xz"})
    if (c == std::string("urn:doe-iri:compression:") + known) return {};
  return {{"body.compression", "must be urn:doe-iri:compression:none, gzip, bzip2 or xz"}};
}

std::vector<InvalidParam> NeedsPath(const BodyValues& b) {
  if (!PathOf(b).empty()) return {};
  return {{"body.path", "is required"}};
}

// compress and extract: a path and a known compression.
std::vector<InvalidParam> PathAndCompression(const BodyValues& b) {
  auto bad = NeedsPath(b);
  for (auto& p : CheckCompression(b)) bad.push_back(std::move(p));
  return bad;
}

// head and tail: exactly one of bytes and lines.
std::vector<InvalidParam> OneOfBytesOrLines(const BodyValues& b) {
  if (b.Int("bytes").has_value() == b.Int("lines").has_value())
    return {{"body.bytes", "give exactly one of bytes and lines"}};
  return {};
}

BodyField Path(bool required = true) {
  return {.name = "path", .required = required, .min = 1, .description = "An absolute path"};
}
BodyField Flag(const char* name) {
  return {.type = BodyField::kBool, .name = name, .default_value = false};
}
BodyField Text(const char* name, bool required, const char* description = "") {
  return {.name = name, .required = required, .min = 1, .description = description};
}
BodyField Count(const char* name, int64_t min) {
  return {.type = BodyField::kInt, .name = name, .min = min};
}

std::vector<FilesystemOp> Operations() {
  const std::string gzip = "urn:doe-iri:compression:gzip";
  return {
      {"chmod",
       Access::kChange,
       200,
       {Path(false), Text("mode", true, "Octal, e.g. \"755\"")},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(c,
                        o.paths.ChangeMode(o.task, o.user, o.system, PathOf(o.body),
                                           o.body.String("mode").value_or("")),
                        AsFile);
       },
       NeedsPath},
      {"chown",
       Access::kChange,
       200,
       {Path(false),
        {.name = "owner", .default_value = ""},
        {.name = "group", .default_value = ""}},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(c,
                        o.paths.ChangeOwner(o.task, o.user, o.system, PathOf(o.body),
                                            o.body.String("owner").value_or(""),
                                            o.body.String("group").value_or("")),
                        AsFile);
       },
       NeedsPath},
      {"file",
       Access::kRead,
       200,
       {Path()},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(c, o.paths.Type(o.task, o.user, o.system, PathOf(o.body)),
                        [](const std::string& t) { return json::value(t); });
       },
       nullptr},
      {"stat",
       Access::kRead,
       200,
       {Path(), Flag("dereference")},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(
             c, o.paths.Stat(o.task, o.user, o.system, PathOf(o.body), o.body.Bool("dereference")),
             [](const PathStat& s) { return json::value(StatJson(s)); });
       },
       nullptr},
      {"ls",
       Access::kRead,
       200,
       {Path(), Flag("showHidden"), Flag("numericUid"), Flag("recursive"), Flag("dereference")},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(c,
                        o.paths.List(o.task, o.user, o.system, PathOf(o.body),
                                     o.body.Bool("showHidden"), o.body.Bool("recursive"),
                                     o.body.Bool("dereference"), o.body.Bool("numericUid")),
                        [](const std::vector<DirectoryEntry>& entries) {
                          json::array out;
                          for (const auto& e : entries) out.push_back(FileJson(e));
                          return json::value(std::move(out));
                        });
       },
       nullptr},
      {"head",
       Access::kRead,
       200,
       {Path(), Count("bytes", 1), Count("lines", 1), Flag("skipTrailing")},
       [](OpContext& o, const IriCommand& c) {
         return SliceOutcome(
             c, o.paths.Head(o.task, o.user, o.system, PathOf(o.body), o.body.Int("bytes"),
                             o.body.Int("lines"), o.body.Bool("skipTrailing")));
       },
       OneOfBytesOrLines},
      {"tail",
       Access::kRead,
       200,
       {Path(), Count("bytes", 1), Count("lines", 1), Flag("skipHeading")},
       [](OpContext& o, const IriCommand& c) {
         return SliceOutcome(
             c, o.paths.Tail(o.task, o.user, o.system, PathOf(o.body), o.body.Int("bytes"),
                             o.body.Int("lines"), o.body.Bool("skipHeading")));
       },
       OneOfBytesOrLines},
      {"view",
       Access::kRead,
       200,
       {Path(), Count("size", 0), Count("offset", 0)},
       [](OpContext& o, const IriCommand& c) {
         // size omitted (or the spec's declared default 0): as much as the limit allows.
         const int64_t size = o.body.Int("size").value_or(0);
         return SliceOutcome(
             c, o.paths.View(o.task, o.user, o.system, PathOf(o.body),
                             o.body.Int("offset").value_or(0), size > 0 ? size : kSizeLimit));
       },
       [](const BodyValues& b) -> std::vector<InvalidParam> {
         if (b.Int("size").value_or(0) > kSizeLimit)
           return {{"body.size", "must be at most 5242880 (5 MiB)"}};
         return {};
       }},
      {"checksum",
       Access::kRead,
       200,
       {Path()},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(
             c, o.paths.Checksum(o.task, o.user, o.system, PathOf(o.body)),
             [](const std::string& sum) {
               return json::value(json::object{{"algorithm", "SHA-256"}, {"checksum", sum}});
             });
       },
       nullptr},
      {"rm",
       Access::kChange,
       200,
       {Path()},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(c, o.paths.Remove(o.task, o.user, o.system, PathOf(o.body)),
                        [](const std::string& message) { return json::value(message); });
       },
       nullptr},
      {"mkdir",
       Access::kChange,
       201,
       {Path(false), Flag("parent")},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(
             c, o.paths.MakeDir(o.task, o.user, o.system, PathOf(o.body), o.body.Bool("parent")),
             AsFile);
       },
       NeedsPath},
      {"symlink",
       Access::kChange,
       201,
       {Path(false), Text("link_path", true, "Where the link is made; `path` is its target")},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(c,
                        o.paths.Symlink(o.task, o.user, o.system, PathOf(o.body),
                                        o.body.String("link_path").value_or("")),
                        AsFile);
       },
       NeedsPath},
      {"compress",
       Access::kChange,
       201,
       {Path(false),
        Text("target_path", true),
        Text("match_pattern", false, "A regular expression"),
        Flag("dereference"),
        {.name = "compression", .min = 1, .default_value = json::string(gzip)}},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(c,
                        o.paths.Compress(o.task, o.user, o.system, PathOf(o.body),
                                         o.body.String("target_path").value_or(""),
                                         o.body.String("match_pattern"), o.body.Bool("dereference"),
                                         CompressionOf(o.body)),
                        AsFile);
       },
       PathAndCompression},
      {"extract",
       Access::kChange,
       201,
       {Path(false),
        Text("target_path", true),
        {.name = "compression", .min = 1, .default_value = json::string(gzip)}},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(
             c,
             o.paths.Extract(o.task, o.user, o.system, PathOf(o.body),
                             o.body.String("target_path").value_or(""), CompressionOf(o.body)),
             AsFile);
       },
       PathAndCompression},
      {"mv",
       Access::kChange,
       201,
       {Path(false), Text("target_path", true)},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(c,
                        o.paths.Move(o.task, o.user, o.system, PathOf(o.body),
                                     o.body.String("target_path").value_or("")),
                        AsFile);
       },
       NeedsPath},
      {"cp",
       Access::kChange,
       201,
       {Path(false), Text("target_path", true), Flag("dereference")},
       [](OpContext& o, const IriCommand& c) {
         return Outcome(
             c,
             o.paths.Copy(o.task, o.user, o.system, PathOf(o.body),
                          o.body.String("target_path").value_or(""), o.body.Bool("dereference")),
             AsFile);
       },
       NeedsPath},
      {"download",
       Access::kRead,
       200,
       {Path()},
       [](OpContext& o, const IriCommand& c) -> TaskOutcome {
         // The size first: a file over the limit is refused without being read.
         auto stat = o.paths.Stat(o.task, o.user, o.system, PathOf(o.body), true);
         if (!stat) return IriFailure(c, stat.status().message());
         if (stat->error) return IriFailure(c, *stat->error);
         if (stat->value.size > kSizeLimit)
           return IriFailure(c, "the file is " + std::to_string(stat->value.size) +
                                    " bytes; downloads are limited to 5242880 (5 MiB)");
         auto content = o.files.Download(o.user, o.system, PathOf(o.body));
         if (!content) return IriFailure(c, content.status().message());
         if (content->error) return IriFailure(c, *content->error);
         return IriSuccess(c, json::value(Base64Encode(content->bytes)));
       },
       nullptr},
  };
}

std::optional<http::Response> UnknownFileResource(IriContext& ctx, const http::Request& req) {
  const std::string& id = req.PathParam("resource_id");
  const SystemConfig* s = FindSystem(ctx.systems, id);
  if (!s || !s->HasFiles()) return Problem(req, 404, "no resource with files named '" + id + "'");
  return std::nullopt;
}

http::Response Submitted(IriContext& ctx, const http::Request& req, int status,
                         const Result<std::string>& task_id) {
  if (!task_id) return FromStatus(req, task_id.status());
  return http::Response::Json(
      status, json::object{{"task_id", *task_id},
                           {"task_uri", BaseUrl(req, ctx.server) + "/task/" + *task_id}});
}

http::Response Start(IriContext& ctx, http::Request& req, const FilesystemOp& op) {
  auto checked = CheckBody(req, op.fields);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  BodyValues body = std::get<BodyValues>(std::move(checked));
  if (op.check)
    if (auto bad = op.check(body); !bad.empty()) return InvalidParams(req, bad);
  if (auto refused = UnknownFileResource(ctx, req)) return std::move(*refused);
  const std::string system = req.PathParam("resource_id");
  IriCommand command{"filesystem", op.name, body.object()};
  command.args["resource_id"] = system;
  auto task_id = ctx.tasks.Submit(req.principal->user, IriTaskKind("filesystem", op.name), system,
                                  [&ctx, work = op.work, user = req.principal->user, system,
                                   body = std::move(body), command](TaskContext& task) {
                                    task.SetPartial(IriRunning(command));
                                    OpContext o{task, ctx.paths, ctx.files, user, system, body};
                                    return work(o, command);
                                  });
  return Submitted(ctx, req, op.success, task_id);
}

// upload: the query's path and the multipart part `file`, at most the spec's 5 MiB (a larger one
// is 400: the spec documents no 413).
http::Response Upload(IriContext& ctx, http::Request& req, const QueryValues& q) {
  const std::string* type = req.Header("content-type");
  auto form = http::ParseForm(type ? *type : "", req.body);
  if (!form) return InvalidParams(req, {{"body", form.status().message()}});
  const http::FormField* file = form->Field("file");
  if (!file)
    return InvalidParams(req, {{"body.file", "is required (a multipart part named file)"}});
  if (static_cast<int64_t>(file->value.size()) > kSizeLimit)
    return InvalidParams(req, {{"body.file", "is larger than 5242880 bytes (5 MiB)"}});
  if (auto refused = UnknownFileResource(ctx, req)) return std::move(*refused);
  const std::string system = req.PathParam("resource_id");
  const std::string path = *q.Get("path");
  IriCommand command{"filesystem", "upload", json::object{{"path", path}, {"resource_id", system}}};
  auto task_id = ctx.tasks.Submit(
      req.principal->user, IriTaskKind("filesystem", "upload"), system,
      [&ctx, user = req.principal->user, system, path, content = file->value,
       command](TaskContext& task) {
        task.SetPartial(IriRunning(command));
        auto outcome = ctx.files.Upload(user, system, path, content);
        if (!outcome) return IriFailure(command, outcome.status().message());
        if (outcome->error) return IriFailure(command, *outcome->error);
        return IriSuccess(command, json::value("File upload successful: " +
                                               std::to_string(outcome->bytes_written) +
                                               " bytes written to " + outcome->path));
      });
  return Submitted(ctx, req, 200, task_id);
}

}  // namespace

void AddFilesystemRoutes(IriContext& ctx) {
  const std::string tag = "filesystem";
  AddRoute(ctx, Access::kPublic,
           {.method = "POST",
            .path = "/filesystem/resources",
            .operation_id = "getFilesystemResources",
            .tag = tag,
            .summary = "The resources with files",
            .answer = ListOf("Resource"),
            .maturity = "planned",
            .handler = [&ctx](http::Request& req, const QueryValues&) {
              json::array out;
              for (const auto& r : ResourcesWith(ctx, req, "filesystem")) out.push_back(r);
              return http::Response::Json(std::move(out));
            }});
  const std::vector<std::pair<std::string, std::string>> resource = {
      {"resource_id", "The resource (a system's name)"}};
  for (FilesystemOp& op : Operations()) {
    const std::string name = op.name;
    AddRoute(ctx, op.access,
             {.method = "POST",
              .path = "/filesystem/" + name + "/{resource_id}",
              .operation_id = name,
              .tag = tag,
              .summary = "Run " + name + " as a task",
              .path_params = resource,
              .body = BodySchema(op.fields),
              .success = op.success,
              .answer = SchemaRef("TaskSubmitResponse"),
              .execution = http::Execution::kBlocking,
              .handler = [&ctx, op = std::move(op)](http::Request& req, const QueryValues&) {
                return Start(ctx, req, op);
              }});
  }
  AddRoute(ctx, Access::kChange,
           {.method = "POST",
            .path = "/filesystem/upload/{resource_id}",
            .operation_id = "upload",
            .tag = tag,
            .summary = "Write the multipart part `file` to `path` as a task",
            .path_params = resource,
            .query = {{.name = "path",
                       .description = "Where the file is written",
                       .min_length = 1,
                       .required = true}},
            .body = json::object{{"type", "object"},
                                 {"required", json::array{"file"}},
                                 {"properties",
                                  json::object{{"file", json::object{{"type", "string"},
                                                                     {"format", "binary"}}}}}},
            .body_media = "multipart/form-data",
            .answer = SchemaRef("TaskSubmitResponse"),
            .execution = http::Execution::kBlocking,
            .max_body_bytes = kSizeLimit + 64 * 1024,
            .handler = [&ctx](http::Request& req, const QueryValues& q) {
              return Upload(ctx, req, q);
            }});
}

}  // namespace sfapid::iri
