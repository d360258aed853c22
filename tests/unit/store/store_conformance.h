// The Store conformance suite: the contract of store/store.h, checked the same way for every
// implementation. The tests are written once, in store_conformance_test.cc; an implementation's
// test file plugs itself in with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreFactory(MakeSqliteStore)));
//
// The tests live in a .cc of their own (gtest's "abstract test" pattern) so that several
// implementations' test files can instantiate them in one test binary.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>

#include "core/sample.h"
#include "store/store.h"

namespace llmscope::store::conformance {

// Makes a Store that keeps its data in `dir` (a fresh, empty directory for each test; a file
// store puts its files there, a server store derives a database or schema name from it). A store
// made again on the same dir, after the earlier one was destroyed, has the earlier one's data.
// Returns null when the store cannot be made; a factory may also skip the test (GTEST_SKIP) when
// the server it needs is not available.
using StoreFactory = std::function<std::unique_ptr<Store>(const std::string& dir)>;

// A new directory under /tmp, removed with everything in it when the object is destroyed.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "llmscope_store_XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = std::move(pattern);
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty when the directory could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline SourceKey Source(std::string provider, std::string model, std::string site = "",
                        std::string profile = "") {
  return SourceKey{std::move(provider), std::move(model), std::move(site), std::move(profile)};
}

// A successful call of `source` at `time_ms` with an end-to-end latency and nothing else.
inline Sample MakeSample(int64_t time_ms, SourceKey source, double e2e_ms = 100.0) {
  Sample s;
  s.time_ms = time_ms;
  s.source = std::move(source);
  s.e2e_ms = e2e_ms;
  s.prompt_hash = "h";
  return s;
}

// Each test gets a fresh directory and a store made in it.
class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty()) << "cannot make a temporary directory";
    store_ = GetParam()(dir_.path());
    if (IsSkipped()) return;  // the factory skipped the test: its server is not available here
    ASSERT_NE(store_, nullptr) << "the factory made no store in " << dir_.path();
  }
  void TearDown() override { store_.reset(); }

  Store& store() { return *store_; }

  // Destroys the store and makes another on the same directory.
  void Reopen() {
    store_.reset();
    store_ = GetParam()(dir_.path());
    ASSERT_NE(store_, nullptr) << "the factory made no store on reopening " << dir_.path();
  }

 private:
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace llmscope::store::conformance

namespace llmscope::store {

// How gtest shows a factory parameter in test output (found by argument-dependent lookup through
// Store, instead of a dump of the std::function's bytes).
inline void PrintTo(const conformance::StoreFactory&, std::ostream* os) {
  *os << "StoreFactory";
}

}  // namespace llmscope::store
