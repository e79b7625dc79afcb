// A real SQLite store in a temporary folder, for tests of the services above the store.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "store/store.h"
#include "support/temp_dir.h"

namespace sfapid::testing {

struct TestStore {
  TempDir dir{"store"};
  std::unique_ptr<Store> store = Open(dir / "sfapid.db");

  Store* operator->() const { return store.get(); }
  Store& operator*() const { return *store; }

 private:
  static std::unique_ptr<Store> Open(const std::string& path) {
    auto opened = OpenSqliteStore(path);
    EXPECT_TRUE(opened) << opened.status().message();
    return opened ? std::move(opened).value() : nullptr;
  }
};

}  // namespace sfapid::testing
