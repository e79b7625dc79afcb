// [store]: where the SQLite database is.
#include "config/section_readers.h"

namespace sfapid::config_reading {

void ReadStore(TableReader& root, StoreConfig& out) {
  if (const toml::table* t = root.Table("store")) {
    TableReader s(*t, root.source(), "store");
    s.Read("sqlite_path", out.sqlite_path);
    s.Read("url", out.url);
    s.Read("connections", out.connections);
    s.RejectUnknown();
    s.Require(!out.sqlite_path.empty(), "sqlite_path", "must not be empty");
    s.Require(out.url.empty() || out.url.rfind("postgresql://", 0) == 0 ||
                  out.url.rfind("postgres://", 0) == 0,
              "url", "must be empty (SQLite) or a postgresql:// URL");
    s.Require(out.connections >= 1 && out.connections <= 64, "connections",
              "must be between 1 and 64");
  }
}

}  // namespace sfapid::config_reading
