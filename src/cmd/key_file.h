// Hands out an API client's private key file. As root, a key folder (--out-dir) and the file in it
// are made by a child process that has become the user's Unix account, so they belong to the user
// they are for and a path the user controls (a symlinked folder, say) is followed with the user's
// rights, not root's. A file the operator names (--out) is written by the operator and handed to
// the user, so that it can go where only the operator may write.
#pragma once

#include <string>

#include "config/config.h"
#include "util/status.h"

namespace sfapid::cmd {

// Writes `text` to `path`, mode 0600, never over an existing file. `create_dir` (may be empty) is
// made first with its missing parents, each 0700; folders that exist are left as they are. As
// root, when `api_user` maps to an account sfapid may act as ([runas]): with `create_dir` all of
// it is done as that account, without it the file is given to that account. Otherwise everything
// is done as the account running the command.
Status WriteKeyFile(const RunAsConfig& runas, const std::string& api_user,
                    const std::string& create_dir, const std::string& path,
                    const std::string& text);

}  // namespace sfapid::cmd
