#include "backends/scheduler/local/launch_spec.h"

#include <boost/json.hpp>

#include "backends/scheduler/local/record_fields.h"
#include "util/json_fields.h"

namespace sfapid::local {

namespace json = boost::json;

namespace {

Status Read(Result<std::string> r, std::string& out) {
  if (r) out = std::move(r).value();
  return r.status();
}
Status Read(Result<int64_t> r, int64_t& out) {
  if (r) out = *r;
  return r.status();
}
Status Read(Result<bool> r, bool& out) {
  if (r) out = *r;
  return r.status();
}
Status ReadStrings(const json::object& o, std::string_view key, std::vector<std::string>& out) {
  auto a = ArrayField(o, key);
  if (!a) return a.status();
  for (const auto& v : **a) {
    if (!v.is_string())
      return Status::InvalidArgument("field '" + std::string(key) +
                                     "' has an item that is not a "
                                     "string");
    out.emplace_back(v.as_string());
  }
  return Status::Ok();
}

}  // namespace

json::object ToJson(const LaunchSpec& s) {
  return json::object{{"account", s.account},
                      {"uid", s.uid},
                      {"gid", s.gid},
                      {"work_dir", s.work_dir},
                      {"stdout", s.stdout_path},
                      {"stderr", s.stderr_path},
                      {"stdin", s.stdin_path},
                      {"append", s.append},
                      {"script", s.script},
                      {"command", s.command},
                      {"args", record::ToArray(s.args)},
                      {"env", record::ToArray(s.env)},
                      {"time_limit", s.time_limit},
                      {"kill_wait", s.kill_wait},
                      {"jobid", s.jobid},
                      {"node", s.node}};
}

Result<LaunchSpec> LaunchSpecFromJson(const json::object& o) {
  LaunchSpec s;
  for (Status st :
       {Read(StringField(o, "account"), s.account), Read(IntField(o, "uid"), s.uid),
        Read(IntField(o, "gid"), s.gid), Read(StringField(o, "work_dir"), s.work_dir),
        Read(StringField(o, "stdout"), s.stdout_path),
        Read(StringField(o, "stderr"), s.stderr_path), Read(BoolField(o, "append"), s.append),
        Read(StringField(o, "script"), s.script), Read(StringField(o, "command"), s.command),
        ReadStrings(o, "args", s.args), ReadStrings(o, "env", s.env),
        Read(IntField(o, "time_limit"), s.time_limit), Read(IntField(o, "kill_wait"), s.kill_wait),
        Read(StringField(o, "jobid"), s.jobid), Read(StringField(o, "node"), s.node)})
    if (!st.ok()) return st;
  // Optional: a job.json written before --input was honoured has none.
  if (o.contains("stdin"))
    if (Status st = Read(StringField(o, "stdin"), s.stdin_path); !st.ok()) return st;
  return s;
}

}  // namespace sfapid::local
