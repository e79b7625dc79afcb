#include "support/test_store.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "sql/postgres_database.h"

namespace sfapid::testing {

std::string TestPostgresUrl() {
  const char* url = std::getenv("SFAPID_TEST_PG_URL");
  return url ? url : "";
}

Result<std::string> TestStoreLocation(const std::string& sqlite_path) {
  const std::string url = TestPostgresUrl();
  if (url.empty()) return "sqlite:" + sqlite_path;
  static std::mutex mu;
  static std::atomic<int> counter{0};
  std::lock_guard lock(mu);
  std::string schema;
  if (std::ifstream known(sqlite_path); known) std::getline(known, schema);
  if (schema.empty()) {
    // One snprintf: GCC 12 warns falsely (-Wrestrict) on string concatenations here.
    char name[64];
    std::snprintf(name, sizeof name, "t%d_%d", static_cast<int>(::getpid()), counter.fetch_add(1));
    schema = name;
    auto admin = sql::PostgresDatabase::Open(url);
    if (!admin) return admin.status();
    if (Status s = (*admin)->Exec("CREATE SCHEMA " + schema); !s.ok()) return s;
    std::ofstream(sqlite_path) << schema << "\n";
  }
  std::string scoped = url;
  scoped += url.find('?') == std::string::npos ? "?" : "&";
  scoped += "options=-csearch_path%3D";
  scoped += schema;
  return scoped;
}

Result<std::unique_ptr<Store>> OpenTestStore(const std::string& sqlite_path) {
  auto location = TestStoreLocation(sqlite_path);
  if (!location) return location.status();
  if (TestPostgresUrl().empty()) return OpenSqliteStore(sqlite_path);
  return OpenPostgresStore(*location);
}

}  // namespace sfapid::testing
