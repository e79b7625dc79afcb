// sfapid's allocations as the IRI account tag sees them (docs/iri.md "Account"). Capabilities are
// fixed: what sfapid counts — node-hours on the compute systems (one CPU and one GPU grant per
// project; usage is charged as one figure, to the CPU grant) and bytes and files in the project
// and archive folders. A project has an allocation per capability it was given; a user
// allocation is a member's share of it (the whole grant, their own usage).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/accounts/account_service.h"

namespace sfapid::iri {

inline constexpr const char* kNodeHours = "urn:doe-iri:allocation:compute:node-hours";
inline constexpr const char* kBytes = "urn:doe-iri:allocation:storage:bytes";
inline constexpr const char* kInodes = "urn:doe-iri:allocation:storage:inodes";

struct CapabilityDef {
  const char* id;
  const char* name;
  const char* description;
  std::vector<const char*> units;
};

const std::vector<CapabilityDef>& Capabilities();
const CapabilityDef* FindCapability(const std::string& id);

struct Entry {
  double allocation = 0, usage = 0;
  const char* unit;
};

// The allocations a project has, by capability id, from its report (the caller's view of it).
struct ProjectAllocations {
  std::vector<std::pair<std::string, std::vector<Entry>>> by_capability;
};
ProjectAllocations AllocationsOf(const ProjectReport& report);

// A member's entries of one allocation: the project's grant, their own usage (node-hours from
// `hours_by_user`; storage only for the caller, whose files were measured).
std::optional<std::vector<Entry>> UserEntries(const std::string& capability, const ProjectReport& r,
                                              const std::string& user, bool is_caller,
                                              const ProjectUsage& usage);

boost::json::array EntriesJson(const std::vector<Entry>& entries);

}  // namespace sfapid::iri
