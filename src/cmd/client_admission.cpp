#include "cmd/client_admission.h"

#include <cstdio>

#include "cmd/accounts_context.h"

namespace sfapid::cmd {

Status AdmitClientUser(const Config& config, Store& store, const std::string& user) {
  bool any = false;
  for (const auto& p : config.accounts.projects) any = any || p.admit_client_users;
  if (!any) return Status::Ok();
  Accounts accounts(config, store);
  // The project may not be stored yet: the server seeds it at start, and this may run first.
  if (Status s = accounts.service.Seed(); !s.ok()) return s;
  std::string skipped;
  auto joined = accounts.service.AdmitClientUser(user, &skipped);
  if (!joined) return joined.status();
  if (!skipped.empty()) std::fprintf(stderr, "note: %s\n", skipped.c_str());
  for (const auto& repo : *joined)
    std::fprintf(stderr, "added %s to project %s as a member (its admit_client_users setting)\n",
                 user.c_str(), repo.c_str());
  return Status::Ok();
}

}  // namespace sfapid::cmd
