// SqliteStore: the conformance suite on real files, and what is particular to SQLite (WAL,
// migrations, atomic batches, durability across kill -9), and OpenStore's URL parsing.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/open_store.h"
#include "store/sql_statements.h"
#include "tests/unit/store/series_rollup_rows.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store {
namespace {

using conformance::MakeSample;
using conformance::Source;
using conformance::StoreConformanceTest;
using conformance::StoreFactory;
using conformance::TempDir;

std::unique_ptr<Store> MakeSqliteStore(const std::string& dir) {
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir + "/llmscope.db");
  if (!store) {
    ADD_FAILURE() << store.error().code << ": " << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(StoreFactory(MakeSqliteStore)),
                         [](const ::testing::TestParamInfo<StoreFactory>&) { return "File"; });

// A plain connection to the store's file, for looking under the hood.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (message != nullptr ? message : "?");
    }
    sqlite3_free(message);
  }

  // The first column of the first row, as text ("" when there is none).
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }

  // One column of every row, joined with "; ".
  std::string Joined(const std::string& sql, int column) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, column);
      out +=
          (out.empty() ? "" : "; ") + std::string(text ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  // `upgrades` collects what the store tells before upgrading the file's schema (from, to).
  std::unique_ptr<SqliteStore> Open(std::vector<std::pair<int64_t, int64_t>>* upgrades = nullptr) {
    SchemaUpgradeNotice notice;
    if (upgrades != nullptr) {
      notice = [upgrades](int64_t from, int64_t to) { upgrades->emplace_back(from, to); };
    }
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_, notice);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }

  int64_t SampleCount() {
    std::unique_ptr<SqliteStore> store = Open();
    if (store == nullptr) return -1;
    Result<StoreStats> stats = store->Stats();
    return stats.ok() ? stats->samples : -1;
  }

  TempDir dir_;
  const std::string path_ = dir_.path() + "/llmscope.db";
};

TEST_F(SqliteStoreTest, RunsInWalMode) {
  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawDb(path_).Text("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, SchemaVersionIsTheLatestMigration) {
  ASSERT_NE(Open(), nullptr);
  EXPECT_EQ(RawDb(path_).Text("PRAGMA user_version"), std::to_string(SqliteStore::kSchemaVersion));
}

TEST_F(SqliteStoreTest, ReopeningMigratesNothing) {
  std::vector<std::pair<int64_t, int64_t>> upgrades;
  ASSERT_NE(Open(&upgrades), nullptr);
  EXPECT_TRUE(upgrades.empty()) << "a new file is created, not upgraded";
  // schema_version counts every change to the schema.
  const std::string schema_cookie = RawDb(path_).Text("PRAGMA schema_version");
  const std::string objects = RawDb(path_).Text("SELECT count(*) FROM sqlite_schema");
  ASSERT_NE(Open(&upgrades), nullptr);
  ASSERT_NE(Open(&upgrades), nullptr);
  EXPECT_TRUE(upgrades.empty());
  EXPECT_EQ(RawDb(path_).Text("PRAGMA schema_version"), schema_cookie);
  EXPECT_EQ(RawDb(path_).Text("SELECT count(*) FROM sqlite_schema"), objects);
  EXPECT_EQ(RawDb(path_).Text("PRAGMA user_version"), std::to_string(SqliteStore::kSchemaVersion));
}

TEST_F(SqliteStoreTest, MigratingAFileOfVersion3BuildsItsRollupsFromTheSamples) {
  std::vector<Rollup> built;
  {
    std::unique_ptr<SqliteStore> store = Open();
    ASSERT_NE(store, nullptr);
    std::vector<Sample> batch;
    for (int i = 0; i < 500; ++i) {
      batch.push_back(MakeSample(1'700'000'000'000 + int64_t{i} * 9'000, Source("p", "m"), i % 40));
    }
    ASSERT_TRUE(store->AppendSamples(batch).ok());
    RollupQuery q;
    q.metric = Metric::kE2eMs;
    Result<std::vector<Rollup>> got = store->QueryRollups(q);
    ASSERT_TRUE(got.ok());
    built = *got;
  }
  ASSERT_EQ(built.size(), 76u);  // 4,491 s: 75 minutes begun, and one more across an edge
  // The file as version 3 left it: no rollups table, no violations index by time, no settings
  // (version 5), no demo_sources (version 6), no violation counts (version 8), no sketch hours
  // (version 10).
  RawDb(path_).Exec(
      "DROP TABLE source_rollups; DROP INDEX violation_marks_by_series_time; DROP TABLE settings; "
      "DROP TABLE settings_audit; DROP TABLE demo_sources; DROP TABLE violation_counts; "
      "DROP TABLE sketch_hours; PRAGMA user_version = 3");
  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  RollupQuery q;
  q.metric = Metric::kE2eMs;
  Result<std::vector<Rollup>> got = store->QueryRollups(q);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, built);
}

// Rollups outlive samples, so the step to one row per source and bucket converts the rows per
// series rather than rebuilding them from the samples; a metric without a row is one without
// values, a row without the error metric's is passed over (series_rollup_rows.h).
TEST_F(SqliteStoreTest, MigratingAFileOfVersion8ConvertsItsRollupRowsPerSeries) {
  std::vector<Rollup> live;
  {
    std::unique_ptr<SqliteStore> store = Open();
    ASSERT_NE(store, nullptr);
    std::vector<Sample> batch = conformance::SeriesRollupHistory();
    ASSERT_TRUE(store->AppendSamples(batch).ok());
    live = conformance::EveryRollup(*store);
  }
  ASSERT_FALSE(live.empty());
  RawDb db(path_);
  db.Exec(std::string(conformance::kCreateSqliteSeriesRollups));
  const conformance::FormerRows former = conformance::FormerRowsWithAGap(live);
  db.Exec(conformance::InsertSeriesRollupRows(former.written));
  db.Exec(
      "DROP TABLE source_rollups; DROP TABLE sketch_hours; DELETE FROM samples; "
      "PRAGMA user_version = 8");
  std::vector<std::pair<int64_t, int64_t>> upgrades;
  std::unique_ptr<SqliteStore> store = Open(&upgrades);
  ASSERT_NE(store, nullptr);
  const std::vector<std::pair<int64_t, int64_t>> told{{8, SqliteStore::kSchemaVersion}};
  EXPECT_EQ(upgrades, told) << "the opener is told once, before the conversion";
  EXPECT_EQ(conformance::EveryRollup(*store), former.converted);
  EXPECT_EQ(db.Text("SELECT count(*) FROM sqlite_schema WHERE name = 'rollups'"), "0");
}

TEST_F(SqliteStoreTest, MigratingAFileOfVersion7CountsItsViolations) {
  const SeriesKey series{Source("p", "m"), Metric::kE2eMs};
  std::vector<ViolationCount> live;
  {
    std::unique_ptr<SqliteStore> store = Open();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 50; ++i) {
      ViolationRecord v;
      v.series = series;
      v.rule = i % 2 ? spc::Rule::kR1 : spc::Rule::kR5;
      v.first_time_ms = v.last_time_ms = 1'700'000'000'000 + int64_t{i} * 95'000;
      v.context_json = "{}";
      ASSERT_TRUE(store->InsertViolation(v).ok());
    }
    for (int64_t width : kRollupWidthsMs) {
      Result<std::vector<ViolationCount>> got =
          store->QueryViolationCounts(ViolationCountQuery{series, width});
      ASSERT_TRUE(got.ok());
      live.insert(live.end(), got->begin(), got->end());
    }
  }
  ASSERT_EQ(live.size(), 50u + 4u);  // a minute each; two rules over 80 minutes: 2 × 2 hours
  // The file as version 7 left it: violations, no counts, the rollups one row per series.
  RawDb db(path_);
  db.Exec("DROP TABLE violation_counts; DROP TABLE source_rollups; DROP TABLE sketch_hours");
  db.Exec(std::string(conformance::kCreateSqliteSeriesRollups));
  db.Exec("PRAGMA user_version = 7");
  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<ViolationCount> migrated;
  for (int64_t width : kRollupWidthsMs) {
    Result<std::vector<ViolationCount>> got =
        store->QueryViolationCounts(ViolationCountQuery{series, width});
    ASSERT_TRUE(got.ok()) << got.error().message;
    migrated.insert(migrated.end(), got->begin(), got->end());
  }
  EXPECT_EQ(migrated, live);
}

TEST_F(SqliteStoreTest, ASeriesViolationsOfAWindowAreFoundByTimeTheirMarksFromTheIndexAlone) {
  ASSERT_NE(Open(), nullptr);
  ViolationQuery q;  // the SPC view's: one series over a window, no context
  q.series = SeriesKey{Source("p", "m"), Metric::kE2eMs};
  q.metric = Metric::kE2eMs;
  q.since_ms = 1000;
  q.until_ms = 2000;
  q.context = ViolationQuery::Context::kNone;
  auto plan = [&](const sql::BoundStatement& select) {
    std::string statement = "EXPLAIN QUERY PLAN " + select.sql;
    for (const auto& value : select.values) {
      const size_t at = statement.find('?');
      statement.replace(at, 1,
                        std::holds_alternative<int64_t>(value)
                            ? std::to_string(std::get<int64_t>(value))
                            : "'" + std::get<std::string>(value) + "'");
    }
    return RawDb(path_).Joined(statement, 3);
  };
  EXPECT_NE(plan(sql::SelectViolations(q, "")).find("USING INDEX violation_marks_by_series_time"),
            std::string::npos);
  EXPECT_NE(plan(sql::SelectViolationMarks(q))
                .find("USING COVERING INDEX violation_marks_by_series_time"),
            std::string::npos);
}

TEST_F(SqliteStoreTest, RefusesAFileFromANewerVersion) {
  ASSERT_NE(Open(), nullptr);
  RawDb(path_).Exec("PRAGMA user_version = " + std::to_string(SqliteStore::kSchemaVersion + 1));
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "storage_error");
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
}

TEST_F(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  std::ofstream(path_) << std::string(8192, 'x');
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "storage_error");
  EXPECT_NE(store.error().message.find("not a database"), std::string::npos)
      << store.error().message;
}

TEST_F(SqliteStoreTest, RefusesPathsThatAreNoFile) {
  for (const std::string& path : {std::string(), std::string(":memory:"), dir_.path()}) {
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
    ASSERT_FALSE(store.ok()) << "'" << path << "'";
    EXPECT_EQ(store.error().code, "storage_error");
  }
}

TEST_F(SqliteStoreTest, CreatesTheParentDirectory) {
  const std::string nested = dir_.path() + "/a/b/c/llmscope.db";
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(nested);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_TRUE(std::filesystem::exists(nested));
}

TEST_F(SqliteStoreTest, AFailingRowLeavesNothingOfItsBatch) {
  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  auto keyed = [](int64_t time_ms, const char* provider, const char* key) {
    Sample s = MakeSample(time_ms, Source(provider, "m"));
    s.ingest_key = key;
    return s;
  };
  std::vector<Sample> first = {keyed(1, "ok", "k-1")};
  ASSERT_TRUE(store->AppendSamples(first).ok());

  // Created while the store is open: its cached INSERT is re-prepared under the new schema.
  RawDb(path_).Exec(
      "CREATE TRIGGER refuse_poison BEFORE INSERT ON samples WHEN NEW.provider = 'poison' "
      "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END");
  // A duplicate and new keys in the failing batch: none of its keys is remembered either.
  std::vector<Sample> batch = {keyed(2, "ok", "k-2"), keyed(3, "ok", "k-1"),
                               MakeSample(4, Source("poison", "m")), keyed(5, "ok", "k-5")};
  Result<AppendResult> status = store->AppendSamples(batch);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "storage_error");
  EXPECT_NE(status.error().message.find("poisoned row"), std::string::npos)
      << status.error().message;
  for (const Sample& s : batch) EXPECT_EQ(s.id, 0) << "no id for a sample that was not stored";

  Result<std::vector<Sample>> stored = store->QuerySamples({});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().id, first.front().id);

  // The store goes on working.
  batch.erase(batch.begin() + 2);
  Result<AppendResult> appended = store->AppendSamples(batch);
  ASSERT_TRUE(appended.ok()) << appended.error().message;
  EXPECT_EQ(appended->duplicate, (std::vector<bool>{false, true, false}));
  EXPECT_EQ(batch[1].id, first.front().id);
  EXPECT_EQ(store->Stats()->samples, 3);
}

TEST_F(SqliteStoreTest, IntegrityCheckIsOkAfterABulkLoad) {
  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  for (int b = 0; b < 40; ++b) {
    std::vector<Sample> batch;
    for (int i = 0; i < 500; ++i) {
      Sample s = MakeSample(b * 500 + i, Source("p" + std::to_string(i % 7), "m"), 1.0 + i);
      s.prompt_text = std::string(static_cast<size_t>(i % 300), 'x');
      batch.push_back(std::move(s));
    }
    ASSERT_TRUE(store->AppendSamples(batch).ok());
  }
  Result<int64_t> deleted = store->DeleteOlderThan(10'000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 10'000);
  EXPECT_EQ(store->Stats()->samples, 10'000);
  RawDb raw(path_);
  EXPECT_EQ(raw.Text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.Text("PRAGMA foreign_key_check"), "");
}

TEST_F(SqliteStoreTest, CommittedSamplesSurviveKill9) {
  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // The child appends, then dies without closing anything.
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path_);
    if (!store) _exit(2);
    for (int b = 0; b < 10; ++b) {
      std::vector<Sample> batch;
      for (int i = 0; i < 10; ++i) batch.push_back(MakeSample(b * 10 + i, Source("p", "m")));
      if (!(*store)->AppendSamples(batch).ok()) _exit(3);
    }
    kill(getpid(), SIGKILL);
    _exit(4);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
  EXPECT_EQ(WTERMSIG(wstatus), SIGKILL);
  EXPECT_TRUE(std::filesystem::exists(path_ + "-wal")) << "the samples are in the WAL";
  EXPECT_EQ(SampleCount(), 100);
}

TEST_F(SqliteStoreTest, NegativeZeroAndNanAreSqliteExceptions) {
  std::unique_ptr<SqliteStore> store = Open();
  ASSERT_NE(store, nullptr);
  Sample s = MakeSample(1, Source("p", "m"), -0.0);
  s.ttft_ms = std::numeric_limits<double>::quiet_NaN();
  std::vector<Sample> batch = {s};
  ASSERT_TRUE(store->AppendSamples(batch).ok());
  Result<std::vector<Sample>> got = store->QuerySamples({});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().e2e_ms, std::optional<double>(0.0));  // +0.0: equal in value
  EXPECT_FALSE(got->front().ttft_ms.has_value());

  ViolationRecord v;
  v.value = std::numeric_limits<double>::quiet_NaN();
  Status status = store->InsertViolation(v);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "storage_error");
}

// ---- OpenStore -------------------------------------------------------------------------------

TEST(OpenStoreTest, OpensAnAbsoluteSqlitePath) {
  TempDir dir;
  const std::string path = dir.path() + "/abs/llmscope.db";
  ASSERT_EQ(path.front(), '/');
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + path);  // sqlite:///tmp/...
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(OpenStoreTest, OpensARelativeSqlitePath) {
  TempDir dir;
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  Result<std::unique_ptr<Store>> dotted = OpenStore("sqlite://./data/llmscope.db");
  Result<std::unique_ptr<Store>> plain = OpenStore("sqlite://rel/x.db");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(dotted.ok()) << dotted.error().message;
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/data/llmscope.db"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/rel/x.db"));
}

// A postgres URL opens a PostgresStore: with nothing listening on the port, a storage error
// that names the failure and never the password.
TEST(OpenStoreTest, PostgresUrlConnectsAndKeepsThePasswordOut) {
  for (const char* url : {"postgres://llmscope:s3cr3t-pw@127.0.0.1:1/llmscope?connect_timeout=5",
                          "postgresql://u:s3cr3t-pw@127.0.0.1:1/db"}) {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_EQ(store.error().code, "storage_error");
    EXPECT_NE(store.error().message.find("connect"), std::string::npos) << store.error().message;
    EXPECT_EQ(store.error().message.find("s3cr3t-pw"), std::string::npos) << store.error().message;
  }
  Result<std::unique_ptr<Store>> bad = OpenStore("postgres://h/db?no_such_option=1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_store_url");
}

TEST(OpenStoreTest, RefusesOtherUrls) {
  for (const char* url : {"", "sqlite://", "sqlite:/x.db", "sqlite:x.db", "SQLITE://x.db",
                          "mysql://h/db", "/plain/path.db", "file:///x.db", "postgres:/x"}) {
    Result<std::unique_ptr<Store>> store = OpenStore(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_EQ(store.error().code, "invalid_store_url") << url;
  }
}

TEST(OpenStoreTest, PassesOnOpeningErrors) {
  TempDir dir;
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite://" + dir.path());  // a directory
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "storage_error");
}

}  // namespace
}  // namespace llmscope::store
