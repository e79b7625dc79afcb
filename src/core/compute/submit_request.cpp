#include "core/compute/submit_request.h"

#include <boost/json.hpp>

namespace sfapid {

namespace json = boost::json;

namespace {

Result<json::object> ParseObject(const std::string& stored, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(stored, ec);
  if (ec || !v.is_object())
    return Status::Internal(std::string("its stored request is not a ") + what);
  return std::move(v.as_object());
}

std::string StringAt(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string StoredSubmitRequest(const SubmitRequest& r) {
  json::array args;
  for (const auto& a : r.args) args.emplace_back(a);
  json::object callback{{"url", r.callback.url}, {"email", r.callback.email}};
  if (r.callback.timeout_seconds) callback["timeout_seconds"] = *r.callback.timeout_seconds;
  return json::serialize(json::object{{"client_id", r.client_id},
                                      {"client_ip", r.client_ip},
                                      {"job", r.job},
                                      {"is_path", r.is_path},
                                      {"args", std::move(args)},
                                      {"callback", std::move(callback)}});
}

Result<SubmitRequest> SubmitRequestFrom(const std::string& user, const std::string& system,
                                        const std::string& stored) {
  auto o = ParseObject(stored, "job submission's");
  if (!o) return o.status();
  SubmitRequest r;
  r.user = user;
  r.system = system;
  r.client_id = StringAt(*o, "client_id");
  r.client_ip = StringAt(*o, "client_ip");
  r.job = StringAt(*o, "job");
  if (const json::value* p = o->if_contains("is_path"); p && p->is_bool()) r.is_path = p->as_bool();
  if (const json::value* args = o->if_contains("args"); args && args->is_array())
    for (const json::value& a : args->as_array())
      if (a.is_string()) r.args.emplace_back(a.as_string());
  if (const json::value* c = o->if_contains("callback"); c && c->is_object()) {
    r.callback.url = StringAt(c->as_object(), "url");
    r.callback.email = StringAt(c->as_object(), "email");
    if (const json::value* t = c->as_object().if_contains("timeout_seconds"); t && t->is_number())
      r.callback.timeout_seconds = t->to_number<double>();
  }
  if (r.job.empty()) return Status::Internal("its stored request has no job");
  return r;
}

std::string StoredCancelRequest(const std::string& jobid) {
  return json::serialize(json::object{{"jobid", jobid}});
}

Result<std::string> CancelJobIdFrom(const std::string& stored) {
  auto o = ParseObject(stored, "job cancel's");
  if (!o) return o.status();
  std::string jobid = StringAt(*o, "jobid");
  if (jobid.empty()) return Status::Internal("its stored request has no job id");
  return jobid;
}

}  // namespace sfapid
