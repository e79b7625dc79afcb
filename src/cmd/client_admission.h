// Projects with `admit_client_users = true` take in every user who is given an API client, as a
// member: on the embedded default a local user's first job is then not refused for its account.
#pragma once

#include <string>

#include "config/config.h"
#include "store/store.h"

namespace sfapid::cmd {

// Adds `user` as a member of each such project it is not in yet (any role counts), and says so on
// standard error. A user sfapid knows nothing of (no Unix account, not added with `sfapid user
// add`) is left out with a note: it could not run a job anyway.
Status AdmitClientUser(const Config& config, Store& store, const std::string& user);

}  // namespace sfapid::cmd
