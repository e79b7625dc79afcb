// `sfapid store copy`: moves an installation's store into another database — the embedded
// SQLite file into PostgreSQL when a facility goes to several nodes — table by table, row for
// row, without knowing the tables: the schema is the one both databases were migrated to.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sql/database.h"

namespace sfapid::sql {

struct CopiedTable {
  std::string table;
  int64_t rows = 0;
};

// Brings both databases to this sfapid's schema, refuses a target that holds any row (naming
// the table: a copy never merges), then copies every table of `from` in the order its tables
// were made (a referenced table before those that refer to it) in one transaction of `to`, so a
// failed copy leaves the target as empty as it was. `from` is read in one read transaction: the
// copy is consistent even while a server writes to it (writes after it began are not copied).
// On PostgreSQL each identity sequence then starts after the highest id copied. `progress` hears
// each table copied, once the copy is committed.
// One end of a copy: "sqlite:PATH" or a PostgreSQL URL ("postgresql://..." or
// "postgres://..."). A source file must exist (a typo must not copy a new, empty store); a target
// file is made when missing.
enum class CopyEnd { kSource, kTarget };
Result<std::unique_ptr<Database>> OpenCopyEnd(const std::string& location, CopyEnd end);

Result<std::vector<CopiedTable>> CopyStore(
    Database& from, Database& to,
    const std::function<void(const CopiedTable&)>& progress = nullptr);

}  // namespace sfapid::sql
