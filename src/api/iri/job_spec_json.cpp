#include "api/iri/job_spec_json.h"

#include <algorithm>
#include <boost/json.hpp>

namespace sfapid::iri {

namespace json = boost::json;

namespace {

// Reads one object's fields, collecting what is wrong with them under `prefix`.
class Fields {
 public:
  Fields(const json::object& o, std::string prefix, std::vector<InvalidParam>& bad)
      : o_(o), prefix_(std::move(prefix)), bad_(bad) {}

  const json::value* Present(const char* key) {
    const json::value* v = o_.if_contains(key);
    return v && !v->is_null() ? v : nullptr;
  }

  void Bad(const char* key, const std::string& why) { bad_.push_back({prefix_ + key, why}); }

  void String(const char* key, std::optional<std::string>& out) {
    const json::value* v = Present(key);
    if (!v) return;
    if (!v->is_string() || v->as_string().empty())
      return Bad(key, "must be a non-empty string or null");
    out = std::string(v->as_string());
  }

  void Count(const char* key, std::optional<int64_t>& out) {
    const json::value* v = Present(key);
    if (!v) return;
    if (v->is_int64() && v->as_int64() >= 1) {
      out = v->as_int64();
    } else if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
      out = static_cast<int64_t>(v->as_uint64());
    } else {
      Bad(key, "must be an integer of at least 1, or null");
    }
  }

  void Bool(const char* key, bool& out) {
    const json::value* v = o_.if_contains(key);
    if (!v) return;
    if (!v->is_bool()) return Bad(key, "must be true or false");
    out = v->as_bool();
  }

  void Strings(const char* key, std::vector<std::string>& out) {
    const json::value* v = o_.if_contains(key);
    if (!v) return;
    if (!v->is_array()) return Bad(key, "must be a list of strings");
    for (const auto& item : v->as_array()) {
      if (!item.is_string()) return Bad(key, "must be a list of strings");
      out.emplace_back(item.as_string());
    }
  }

  void StringMap(const char* key, std::map<std::string, std::string>& out) {
    const json::value* v = o_.if_contains(key);
    if (!v) return;
    if (!v->is_object()) return Bad(key, "must be an object of strings");
    for (const auto& [k, item] : v->as_object()) {
      if (!item.is_string()) return Bad(key, "must be an object of strings");
      out[std::string(k)] = std::string(item.as_string());
    }
  }

  // A nested object (or null/absent: nullptr); anything else is refused.
  const json::object* Object(const char* key) {
    const json::value* v = Present(key);
    if (!v) return nullptr;
    if (!v->is_object()) {
      Bad(key, "must be an object or null");
      return nullptr;
    }
    return &v->as_object();
  }

  const std::string& prefix() const { return prefix_; }
  std::vector<InvalidParam>& bad() { return bad_; }

 private:
  const json::object& o_;
  std::string prefix_;
  std::vector<InvalidParam>& bad_;
};

constexpr const char* kTopLevel[] = {
    "attributes",  "executable",          "container",   "arguments",   "directory",
    "name",        "inherit_environment", "environment", "stdin_path",  "stdout_path",
    "stderr_path", "resources",           "pre_launch",  "post_launch", "launcher"};

void ReadResources(Fields& f, BatchJobSpec& spec) {
  const json::object* o = f.Object("resources");
  if (!o) return;
  Fields r(*o, f.prefix() + "resources.", f.bad());
  BatchJobSpec::Resources res;
  r.Count("node_count", res.node_count);
  r.Count("process_count", res.process_count);
  r.Count("processes_per_node", res.processes_per_node);
  r.Count("cpu_cores_per_process", res.cpu_cores_per_process);
  r.Count("gpu_cores_per_process", res.gpu_cores_per_process);
  r.Bool("exclusive_node_use", res.exclusive_node_use);
  r.Count("memory", res.memory);
  r.Object("attributes");
  spec.resources = res;
}

void ReadAttributes(Fields& f, BatchJobSpec& spec) {
  const json::object* o = f.Object("attributes");
  if (!o) return;
  Fields a(*o, f.prefix() + "attributes.", f.bad());
  a.Count("duration", spec.attributes.duration);
  a.String("queue_name", spec.attributes.queue_name);
  a.String("account", spec.attributes.account);
  a.String("reservation_id", spec.attributes.reservation_id);
  a.StringMap("custom_attributes", spec.attributes.custom_attributes);
  a.Object("attributes");
}

void ReadContainer(Fields& f, BatchJobSpec& spec) {
  const json::object* o = f.Object("container");
  if (!o) return;
  Fields c(*o, f.prefix() + "container.", f.bad());
  BatchJobSpec::Container container;
  std::optional<std::string> image;
  c.String("image", image);
  if (!image && !c.Present("image")) c.Bad("image", "is required");
  container.image = image.value_or("");
  c.Object("attributes");
  if (const json::value* mounts = o->if_contains("volume_mounts"); mounts && !mounts->is_null()) {
    if (!mounts->is_array()) {
      c.Bad("volume_mounts", "must be a list of mounts");
    } else {
      size_t i = 0;
      for (const auto& m : mounts->as_array()) {
        const std::string at = f.prefix() + "container.volume_mounts." + std::to_string(i++) + ".";
        if (!m.is_object()) {
          f.bad().push_back({at.substr(0, at.size() - 1), "must be an object"});
          continue;
        }
        Fields mf(m.as_object(), at, f.bad());
        std::optional<std::string> source, target;
        mf.String("source", source);
        mf.String("target", target);
        if (!mf.Present("source")) mf.Bad("source", "is required");
        if (!mf.Present("target")) mf.Bad("target", "is required");
        BatchJobSpec::VolumeMount mount{source.value_or(""), target.value_or(""), true};
        mf.Bool("read_only", mount.read_only);
        container.volume_mounts.push_back(std::move(mount));
      }
    }
  }
  spec.container = std::move(container);
}

json::value Opt(const std::optional<std::string>& s) { return s ? json::value(*s) : nullptr; }
json::value Opt(const std::optional<int64_t>& n) { return n ? json::value(*n) : nullptr; }

json::object Strings(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

json::value Sorted(const json::value& v) {
  if (v.is_array()) {
    json::array out;
    for (const auto& item : v.as_array()) out.push_back(Sorted(item));
    return out;
  }
  if (!v.is_object()) return v;
  std::vector<std::string> keys;
  for (const auto& [k, item] : v.as_object()) keys.emplace_back(k);
  std::sort(keys.begin(), keys.end());
  json::object out;
  for (const auto& k : keys) out[k] = Sorted(v.as_object().at(k));
  return out;
}

}  // namespace

std::variant<BatchJobSpec, std::vector<InvalidParam>> ParseJobSpec(const json::value& v) {
  std::vector<InvalidParam> bad;
  if (!v.is_object()) return std::vector<InvalidParam>{{"body", "must be a JobSpec object"}};
  const json::object& o = v.as_object();
  for (const auto& [key, item] : o) {
    const bool known = std::any_of(std::begin(kTopLevel), std::end(kTopLevel),
                                   [&](const char* k) { return key == k; });
    if (!known) bad.push_back({"body." + std::string(key), "is not a JobSpec field"});
  }
  BatchJobSpec spec;
  Fields f(o, "body.", bad);
  f.String("executable", spec.executable);
  f.Strings("arguments", spec.arguments);
  f.String("directory", spec.directory);
  f.String("name", spec.name);
  f.Bool("inherit_environment", spec.inherit_environment);
  f.StringMap("environment", spec.environment);
  f.String("stdin_path", spec.stdin_path);
  f.String("stdout_path", spec.stdout_path);
  f.String("stderr_path", spec.stderr_path);
  f.String("pre_launch", spec.pre_launch);
  f.String("post_launch", spec.post_launch);
  f.String("launcher", spec.launcher);
  ReadResources(f, spec);
  ReadAttributes(f, spec);
  ReadContainer(f, spec);
  if (!bad.empty()) return bad;
  return spec;
}

std::string CanonicalJobSpec(const BatchJobSpec& s) {
  json::object o{{"executable", Opt(s.executable)},
                 {"directory", Opt(s.directory)},
                 {"name", Opt(s.name)},
                 {"inherit_environment", s.inherit_environment},
                 {"environment", Strings(s.environment)},
                 {"stdin_path", Opt(s.stdin_path)},
                 {"stdout_path", Opt(s.stdout_path)},
                 {"stderr_path", Opt(s.stderr_path)},
                 {"pre_launch", Opt(s.pre_launch)},
                 {"post_launch", Opt(s.post_launch)},
                 {"launcher", Opt(s.launcher)}};
  json::array args;
  for (const auto& a : s.arguments) args.push_back(json::string(a));
  o["arguments"] = std::move(args);
  if (s.resources) {
    const auto& r = *s.resources;
    o["resources"] = json::object{{"node_count", Opt(r.node_count)},
                                  {"process_count", Opt(r.process_count)},
                                  {"processes_per_node", Opt(r.processes_per_node)},
                                  {"cpu_cores_per_process", Opt(r.cpu_cores_per_process)},
                                  {"gpu_cores_per_process", Opt(r.gpu_cores_per_process)},
                                  {"exclusive_node_use", r.exclusive_node_use},
                                  {"memory", Opt(r.memory)}};
  } else {
    o["resources"] = nullptr;
  }
  const auto& a = s.attributes;
  o["attributes"] = json::object{{"duration", Opt(a.duration)},
                                 {"queue_name", Opt(a.queue_name)},
                                 {"account", Opt(a.account)},
                                 {"reservation_id", Opt(a.reservation_id)},
                                 {"custom_attributes", Strings(a.custom_attributes)}};
  if (s.container) {
    json::array mounts;
    for (const auto& m : s.container->volume_mounts)
      mounts.push_back(
          json::object{{"source", m.source}, {"target", m.target}, {"read_only", m.read_only}});
    o["container"] =
        json::object{{"image", s.container->image}, {"volume_mounts", std::move(mounts)}};
  } else {
    o["container"] = nullptr;
  }
  return SortedJson(o);
}

std::string SortedJson(const json::value& v) { return json::serialize(Sorted(v)); }

}  // namespace sfapid::iri
