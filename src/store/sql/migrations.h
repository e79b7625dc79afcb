// The schema, as an ordered list of migrations versioned in code, for both dialects: SQLite keeps
// how far it has come in PRAGMA user_version, PostgreSQL in the table schema_version. Opening a
// store applies the rest, one transaction each.
#pragma once

#include "sql/database.h"

namespace sfapid::sql {

int LatestSchemaVersion();
// The version the database is at (0: new).
Result<int> SchemaVersionOf(Database& db);
// Brings the database to the latest version. Refuses a database newer than this binary knows.
Status Migrate(Database& db);

}  // namespace sfapid::sql
