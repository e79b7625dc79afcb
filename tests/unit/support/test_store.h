// A real store for tests of the store and the services above it: SQLite in a temporary folder, or,
// when SFAPID_TEST_PG_URL names a PostgreSQL database (tests/run-on-postgres sets it), a fresh
// schema of its own there. One suite, both stores.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "store/store.h"
#include "support/temp_dir.h"

namespace sfapid::testing {

// The PostgreSQL database the tests run on (SFAPID_TEST_PG_URL), or "" for SQLite.
std::string TestPostgresUrl();

// A store at `sqlite_path`, or in a schema of the test database of its own. The schema's name is
// written at `sqlite_path`, so opening the same path again (tests of reopening, of two processes)
// is the same schema, and a path in a new temporary folder is a new one.
Result<std::unique_ptr<Store>> OpenTestStore(const std::string& sqlite_path);
// Where OpenTestStore(sqlite_path) keeps its data, as `sfapid store copy` names a store:
// "sqlite:PATH", or the URL of the schema (made when new).
Result<std::string> TestStoreLocation(const std::string& sqlite_path);

struct TestStore {
  TempDir dir{"store"};
  std::unique_ptr<Store> store = Open(dir / "sfapid.db");

  Store* operator->() const { return store.get(); }
  Store& operator*() const { return *store; }

 private:
  static std::unique_ptr<Store> Open(const std::string& path) {
    auto opened = OpenTestStore(path);
    EXPECT_TRUE(opened) << opened.status().message();
    return opened ? std::move(opened).value() : nullptr;
  }
};

}  // namespace sfapid::testing
