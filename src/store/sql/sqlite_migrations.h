// The SQLite schema, as an ordered list of migrations versioned in code. The database records how
// far it has come in PRAGMA user_version; opening a store applies the rest in one transaction each.
#pragma once

#include "sql/database.h"

namespace sfapid::sql {

int LatestSchemaVersion();
// Brings the database to the latest version. Refuses a database newer than this binary knows.
Status MigrateSqlite(Database& db);

}  // namespace sfapid::sql
