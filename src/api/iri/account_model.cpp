#include "api/iri/account_model.h"

#include <boost/json/array.hpp>

namespace sfapid::iri {

namespace json = boost::json;

const std::vector<CapabilityDef>& Capabilities() {
  static const std::vector<CapabilityDef> defs = {
      {"cpu", "CPU node-hours", "Node-hours on the compute systems' CPU nodes", {kNodeHours}},
      {"gpu", "GPU node-hours", "Node-hours on the compute systems' GPU nodes", {kNodeHours}},
      {"project-storage",
       "Project folder",
       "Bytes and files in the project's folder",
       {kBytes, kInodes}},
      {"archive", "Archive", "Bytes and files in the project's archive", {kBytes, kInodes}},
  };
  return defs;
}

const CapabilityDef* FindCapability(const std::string& id) {
  for (const auto& c : Capabilities())
    if (id == c.id) return &c;
  return nullptr;
}

namespace {

std::vector<Entry> Storage(int64_t bytes_given, int64_t files_given,
                           const std::optional<StorageReport>& used) {
  return {{static_cast<double>(bytes_given), used ? static_cast<double>(used->bytes_used) : 0.0,
           kBytes},
          {static_cast<double>(files_given), used ? static_cast<double>(used->files_used) : 0.0,
           kInodes}};
}

std::optional<StorageReport> Sum(const std::vector<StorageReport>& list) {
  if (list.empty()) return std::nullopt;
  StorageReport total;
  for (const auto& s : list) {
    total.bytes_used += s.bytes_used;
    total.files_used += s.files_used;
  }
  return total;
}

}  // namespace

ProjectAllocations AllocationsOf(const ProjectReport& r) {
  const ProjectRecord& p = r.project;
  ProjectAllocations out;
  out.by_capability.push_back({"cpu", {{p.cpu_hours_given, r.project_hours_used, kNodeHours}}});
  if (p.gpu_hours_given > 0)
    out.by_capability.push_back({"gpu", {{p.gpu_hours_given, 0, kNodeHours}}});
  if (!p.project_dir.empty())
    out.by_capability.push_back(
        {"project-storage",
         Storage(p.project_dir_bytes, p.project_dir_files, r.project_projdir_usage)});
  if (!p.archive_dir.empty())
    out.by_capability.push_back(
        {"archive", Storage(p.archive_bytes, p.archive_files, Sum(r.hpss_usage))});
  return out;
}

std::optional<std::vector<Entry>> UserEntries(const std::string& capability, const ProjectReport& r,
                                              const std::string& user, bool is_caller,
                                              const ProjectUsage& usage) {
  const ProjectRecord& p = r.project;
  if (capability == "cpu" || capability == "gpu") {
    double hours = 0;
    if (capability == "cpu")
      for (const auto& [name, h] : usage.by_user)
        if (name == user) hours = h;
    return std::vector<Entry>{
        {capability == "cpu" ? p.cpu_hours_given : p.gpu_hours_given, hours, kNodeHours}};
  }
  if (!is_caller) return std::nullopt;
  if (capability == "project-storage")
    return Storage(p.project_dir_bytes, p.project_dir_files, Sum(r.projdir_usage));
  if (capability == "archive") return Storage(p.archive_bytes, p.archive_files, Sum(r.hpss_usage));
  return std::nullopt;
}

json::array EntriesJson(const std::vector<Entry>& entries) {
  json::array out;
  for (const auto& e : entries)
    out.push_back(json::object{{"allocation", e.allocation}, {"usage", e.usage}, {"unit", e.unit}});
  return out;
}

}  // namespace sfapid::iri
