#include "backends/scheduler/local/sbatch_options.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <limits>
#include <set>

#include "backends/scheduler/sbatch_directives.h"
#include "backends/scheduler/slurm_time.h"

namespace sfapid::local {

namespace {

Status Error(const std::string& text) { return Status::InvalidArgument("sbatch: error: " + text); }

std::optional<int64_t> Int(std::string_view s) {
  int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Result<int64_t> Memory(std::string_view v) {
  if (v.empty()) return Error("Invalid --mem specification");
  int64_t scale = 1;  // MiB
  const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(v.back())));
  std::string_view digits = v;
  if (std::isalpha(static_cast<unsigned char>(unit))) {
    digits.remove_suffix(1);
    if (unit == 'K')
      scale = -1024;
    else if (unit == 'M')
      scale = 1;
    else if (unit == 'G')
      scale = 1024;
    else if (unit == 'T')
      scale = 1024 * 1024;
    else
      return Error("Invalid --mem specification");
  }
  auto n = Int(digits);
  if (!n || *n < 0 || *n > (int64_t{1} << 40)) return Error("Invalid --mem specification");
  return scale < 0 ? (*n + 1023) / 1024 : *n * scale;
}

Result<ArrayIndices> Array(std::string_view v) {
  // Every index is listed (at most kMaxArrayIndex + 1 of them, whatever the expression).
  auto indices = ParseArrayIndices(v, kMaxArrayIndex, std::numeric_limits<size_t>::max());
  if (indices.ok()) return indices;
  if (indices.status().code() == Code::kNotFound)
    return Error("Batch job submission failed: Invalid job array specification");
  return Error("Invalid job array specification");
}

Result<std::vector<Dependency>> Dependencies(std::string_view v) {
  std::vector<Dependency> deps;
  const Status bad = Error("Batch job submission failed: Job dependency problem");
  if (v.find('?') != std::string_view::npos) return bad;  // "any of" is not supported here
  while (!v.empty()) {
    const size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos) return bad;
    const std::string type(item.substr(0, colon));
    if (type != "after" && type != "afterok" && type != "afterany" && type != "afternotok")
      return bad;
    std::string_view ids = item.substr(colon + 1);
    while (!ids.empty()) {
      const size_t c = ids.find(':');
      std::string id(ids.substr(0, c));
      ids = c == std::string_view::npos ? std::string_view() : ids.substr(c + 1);
      // "123" or "123_4"; a "+time" suffix (after:ID+mins) is not supported.
      const size_t us = id.find('_');
      auto main = Int(std::string_view(id).substr(0, us));
      if (!main || *main < 1) return bad;
      if (us != std::string::npos) {
        auto task = Int(std::string_view(id).substr(us + 1));
        if (!task || *task < 0) return bad;
      }
      deps.push_back({type, id});
    }
  }
  if (deps.empty()) return bad;
  return deps;
}

Result<int> Count(std::string_view v, const char* option) {
  // --nodes may be a range "min-max": the local scheduler gives the minimum.
  if (const size_t dash = v.find('-'); dash != std::string_view::npos && dash > 0)
    v = v.substr(0, dash);
  auto n = Int(v);
  if (!n || *n < 1 || *n > 100000)
    return Error(std::string("invalid number of ") + option + ": " + std::string(v));
  return static_cast<int>(*n);
}

struct Option {
  std::string_view long_name;
  char short_name;  // 0: none
  bool takes_value;
  // Applies the value; nullptr: accepted and recorded as ignored.
  std::function<Status(SbatchOptions&, const std::string&, int64_t now)> apply;
  // Takes no value but may have one after '=' ("--exclusive=user"), as getopt's optional_argument.
  bool optional_value = false;
};

Status SetString(std::optional<std::string>& field, const std::string& v) {
  field = v;
  return Status::Ok();
}

const std::vector<Option>& Options() {
  static const std::vector<Option> options = {
      {"job-name", 'J', true, [](auto& o, auto& v, int64_t) { return SetString(o.name, v); }},
      {"time", 't', true,
       [](auto& o, auto& v, int64_t) {
         auto d = slurm::ParseDuration(v);
         if (!d) return Error("Invalid --time specification");
         o.time_limit = *d;
         return Status::Ok();
       }},
      {"output", 'o', true, [](auto& o, auto& v, int64_t) { return SetString(o.output, v); }},
      {"error", 'e', true, [](auto& o, auto& v, int64_t) { return SetString(o.error, v); }},
      {"input", 'i', true, [](auto& o, auto& v, int64_t) { return SetString(o.input, v); }},
      {"chdir", 'D', true, [](auto& o, auto& v, int64_t) { return SetString(o.chdir, v); }},
      {"account", 'A', true, [](auto& o, auto& v, int64_t) { return SetString(o.account, v); }},
      {"qos", 'q', true, [](auto& o, auto& v, int64_t) { return SetString(o.qos, v); }},
      {"reservation", 0, true,
       [](auto& o, auto& v, int64_t) { return SetString(o.reservation, v); }},
      {"partition", 'p', true, [](auto& o, auto& v, int64_t) { return SetString(o.partition, v); }},
      {"constraint", 'C', true,
       [](auto& o, auto& v, int64_t) { return SetString(o.constraint, v); }},
      {"comment", 0, true, [](auto& o, auto& v, int64_t) { return SetString(o.comment, v); }},
      {"open-mode", 0, true,
       [](auto& o, auto& v, int64_t) {
         if (v != "append" && v != "truncate") return Error("Invalid --open-mode specification");
         o.append_output = v == "append";
         return Status::Ok();
       }},
      {"nodes", 'N', true,
       [](auto& o, auto& v, int64_t) {
         auto n = Count(v, "nodes");
         if (!n) return n.status();
         o.nodes = *n;
         o.nodes_set = true;
         return Status::Ok();
       }},
      {"ntasks", 'n', true,
       [](auto& o, auto& v, int64_t) {
         auto n = Count(v, "tasks");
         if (!n) return n.status();
         o.ntasks = *n;
         o.ntasks_set = true;
         return Status::Ok();
       }},
      {"ntasks-per-node", 0, true,
       [](auto& o, auto& v, int64_t) {
         auto n = Count(v, "ntasks-per-node");
         if (!n) return n.status();
         o.ntasks_per_node = *n;
         return Status::Ok();
       }},
      {"cpus-per-task", 'c', true,
       [](auto& o, auto& v, int64_t) {
         auto n = Count(v, "cpus-per-task");
         if (!n) return n.status();
         o.cpus_per_task = *n;
         return Status::Ok();
       }},
      {"mem", 0, true,
       [](auto& o, auto& v, int64_t) {
         auto m = Memory(v);
         if (!m) return m.status();
         o.mem_mb = *m;
         o.mem_whole_node = *m == 0;
         return Status::Ok();
       }},
      {"dependency", 'd', true,
       [](auto& o, auto& v, int64_t) {
         auto d = Dependencies(v);
         if (!d) return d.status();
         o.dependencies = std::move(*d);
         o.dependency_text = v;
         return Status::Ok();
       }},
      {"array", 'a', true,
       [](auto& o, auto& v, int64_t) {
         auto a = Array(v);
         if (!a) return a.status();
         o.array = std::move(*a);
         o.array_text = v;
         return Status::Ok();
       }},
      {"begin", 'b', true,
       [](auto& o, auto& v, int64_t now) {
         auto b = slurm::ParseBegin(v, now);
         if (!b) return Error("Invalid time specification " + v);
         o.begin = *b;
         return Status::Ok();
       }},
      {"hold", 'H', false,
       [](auto& o, auto&, int64_t) {
         o.hold = true;
         return Status::Ok();
       }},
      // Recorded with the job (squeue's over_subscribe shows NO); the local scheduler still
      // places it by the CPUs and memory it asks for, as it does every job.
      {"exclusive", 0, false,
       [](auto& o, auto&, int64_t) {
         o.exclusive = true;
         return Status::Ok();
       },
       true},
      {"export", 0, true,
       [](auto& o, auto& v, int64_t) {
         if (v.empty()) return Error("Invalid --export specification");
         return SetString(o.export_env, v);
       }},
      // sbatch options that mean nothing on one machine: accepted, recorded, ignored.
      {"mail-type", 0, true, nullptr},
      {"mail-user", 0, true, nullptr},
      {"gpus", 'G', true, nullptr},
      {"gpus-per-node", 0, true, nullptr},
      {"gpus-per-task", 0, true, nullptr},
      {"gpu-bind", 0, true, nullptr},
      {"cpus-per-gpu", 0, true, nullptr},
      {"mem-per-gpu", 0, true, nullptr},
      {"gres", 0, true, nullptr},
      {"licenses", 'L', true, nullptr},
      {"requeue", 0, false, nullptr},
      {"no-requeue", 0, false, nullptr},
      {"signal", 0, true, nullptr},
      {"mem-per-cpu", 0, true, nullptr},
      {"ntasks-per-core", 0, true, nullptr},
      {"ntasks-per-socket", 0, true, nullptr},
      {"image", 0, true, nullptr},
      {"module", 0, true, nullptr},
      {"volume", 0, true, nullptr},
      {"switches", 0, true, nullptr},
      {"wckey", 0, true, nullptr},
      {"priority", 0, true, nullptr},
      {"nice", 0, false, nullptr, true},
      {"mincpus", 0, true, nullptr},
      {"tmp", 0, true, nullptr},
      {"exclude", 'x', true, nullptr},
      {"nodelist", 'w', true, nullptr},
      {"distribution", 'm', true, nullptr},
      {"kill-on-invalid-dep", 0, true, nullptr},
      {"core-spec", 'S', true, nullptr},
      {"thread-spec", 0, true, nullptr},
      {"hint", 0, true, nullptr},
      {"threads-per-core", 0, true, nullptr},
      {"sockets-per-node", 0, true, nullptr},
      {"cores-per-socket", 0, true, nullptr},
      {"time-min", 0, true, nullptr},
      {"deadline", 0, true, nullptr},
      {"get-user-env", 0, false, nullptr},
      {"propagate", 0, false, nullptr},
      {"profile", 0, true, nullptr},
      {"acctg-freq", 0, true, nullptr},
      {"network", 0, true, nullptr},
      {"overcommit", 'O', false, nullptr},
      {"oversubscribe", 's', false, nullptr},
      {"cluster-constraint", 0, true, nullptr},
      {"clusters", 'M', true, nullptr},
      {"container", 0, true, nullptr},
      {"bb", 0, true, nullptr},
      {"bbf", 0, true, nullptr},
      {"quiet", 'Q', false, nullptr},
      {"verbose", 'v', false, nullptr},
      {"parsable", 0, false, nullptr},
      {"uid", 0, true, nullptr},
      {"gid", 0, true, nullptr},
  };
  return options;
}

const Option* FindLong(std::string_view name) {
  for (const auto& o : Options())
    if (o.long_name == name) return &o;
  // sbatch (getopt_long) accepts unambiguous prefixes; only exact names here, plus the one
  // common abbreviation.
  if (name == "cpus") return FindLong("cpus-per-task");
  return nullptr;
}

const Option* FindShort(char c) {
  for (const auto& o : Options())
    if (o.short_name == c) return &o;
  return nullptr;
}

Status Apply(const Option& o, const std::string& written, const std::string& value,
             SbatchOptions& out, int64_t now) {
  // Every value is stored with the job and shown in the queue: keep them a sane size.
  if (value.size() > 4096) return Error("--" + std::string(o.long_name) + " is too long");
  if (!o.apply) {
    out.ignored.push_back(written);
    return Status::Ok();
  }
  return o.apply(out, value, now);
}

// One #SBATCH line's words.
Status ParseWords(const std::vector<std::string>& words, SbatchOptions& out, int64_t now) {
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.rfind("--", 0) == 0) {
      const size_t eq = w.find('=');
      const std::string name = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const Option* o = FindLong(name);
      if (!o)
        return Status::InvalidArgument("sbatch: unrecognized option '" + w +
                                       "'\nTry \"sbatch --help\" for more information");
      std::string value;
      if (o->takes_value) {
        if (eq != std::string::npos)
          value = w.substr(eq + 1);
        else if (i + 1 < words.size())
          value = words[++i];
        else
          return Status::InvalidArgument("sbatch: option '--" + name +
                                         "' requires an argument\nTry \"sbatch --help\" for more "
                                         "information");
      } else if (eq != std::string::npos && o->optional_value) {
        value = w.substr(eq + 1);
      } else if (eq != std::string::npos) {
        return Status::InvalidArgument("sbatch: option '--" + name +
                                       "' doesn't allow an argument\nTry \"sbatch --help\" for "
                                       "more information");
      }
      if (Status s = Apply(*o, w, value, out, now); !s.ok()) return s;
    } else if (w.size() >= 2 && w[0] == '-') {
      // A cluster of short options, as getopt reads it: "-HA m1" is -H then -A m1.
      for (size_t c = 1; c < w.size(); ++c) {
        const Option* o = FindShort(w[c]);
        if (!o)
          return Status::InvalidArgument(std::string("sbatch: invalid option -- '") + w[c] +
                                         "'\nTry \"sbatch --help\" for more information");
        std::string value;
        if (o->takes_value) {
          if (c + 1 < w.size())
            value = w.substr(c + 1);
          else if (i + 1 < words.size())
            value = words[++i];
          else
            return Status::InvalidArgument(std::string("sbatch: option requires an argument -- '") +
                                           w[c] + "'\nTry \"sbatch --help\" for more information");
        }
        if (Status s = Apply(*o, std::string("-") + w[c], value, out, now); !s.ok()) return s;
        if (o->takes_value) break;
      }
    } else {
      // sbatch stops reading options at the first word that is not one.
      break;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SbatchOptions> ParseSbatchScript(std::string_view script, int64_t now) {
  if (script.empty()) return Error("Batch script is empty!");
  if (script.rfind("#!", 0) != 0)
    return Status::InvalidArgument(
        "sbatch: error: This does not look like a batch script.  The first\n"
        "sbatch: error: line must start with #! followed by the path to an interpreter.\n"
        "sbatch: error: For instance: #!/bin/sh");
  if (script.find("\r\n") != std::string_view::npos)
    return Error(
        "Batch script contains DOS line breaks (\\r\\n)\n"
        "sbatch: error: instead of expected UNIX line breaks (\\n).");
  if (script.find('\0') != std::string_view::npos) return Error("The batch script contains a NUL");
  SbatchOptions out;
  Status status;
  ForEachDirective(script, [&](const std::vector<std::string>& words) {
    status = ParseWords(words, out, now);
    return status.ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace sfapid::local
