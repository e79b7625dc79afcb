// The system's Unix groups, as far as project groups need them: create one with a chosen gid, set
// its member list, delete it. UnixGroupDirectory does it with the shadow tools (groupadd, gpasswd,
// groupdel), which lock /etc/group and keep /etc/gshadow in step; it needs root.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace sfapid {

class GroupDirectory {
 public:
  virtual ~GroupDirectory() = default;
  // The gid of an existing group of that name.
  virtual std::optional<gid_t> GidOf(const std::string& name) const = 0;
  virtual bool GidInUse(gid_t gid) const = 0;
  // Unix account names of the group's members (the supplementary list in /etc/group).
  virtual std::optional<std::vector<std::string>> MembersOf(const std::string& name) const = 0;
  virtual Status Create(const std::string& name, gid_t gid) = 0;
  // Makes the member list exactly `accounts` (Unix account names).
  virtual Status SetMembers(const std::string& name, const std::vector<std::string>& accounts) = 0;
  virtual Status Remove(const std::string& name) = 0;
};

class UnixGroupDirectory : public GroupDirectory {
 public:
  std::optional<gid_t> GidOf(const std::string& name) const override;
  bool GidInUse(gid_t gid) const override;
  std::optional<std::vector<std::string>> MembersOf(const std::string& name) const override;
  Status Create(const std::string& name, gid_t gid) override;
  Status SetMembers(const std::string& name, const std::vector<std::string>& accounts) override;
  Status Remove(const std::string& name) override;
};

}  // namespace sfapid
