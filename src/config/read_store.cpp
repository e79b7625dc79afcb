// [store]: where the SQLite database is.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadStore(TableReader& root, StoreConfig& out) {
  if (const toml::table* t = root.Table("store")) {
    TableReader s(*t, root.source(), "store");
    s.Read("sqlite_path", out.sqlite_path);
    s.RejectUnknown();
    s.Require(!out.sqlite_path.empty(), "sqlite_path", "must not be empty");
  }
}

}  // namespace sfapid::config_reading
