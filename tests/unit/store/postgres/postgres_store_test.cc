// PostgresStore against a real PostgreSQL 15 server that this binary starts (support/
// postgres_server.h): the Store conformance suite, then what only PostgreSQL has: migrations
// under an advisory lock, the SharedStore coordination between stores on one database (ids that
// commit in order, violations stored once even by racing flushes, outbox claims that never
// overlap), reconnecting after the server restarts, and passwords kept out of messages. A fresh
// database per test.
#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/postgres_server.h"
#include "tests/unit/store/series_rollup_rows.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store {
namespace {

using conformance::MakeSample;
using conformance::Source;
using conformance::StoreConformanceTest;
using testing::PostgresEnvironment;

const ::testing::Environment* const kPostgres =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment({{"fsync=off"}}));

void RequirePostgres() {
  LLMSCOPE_REQUIRE_POSTGRES();
}

// A new database's URL, or "" after a test failure (or skip) saying why there is none.
std::string NewDatabase() {
  RequirePostgres();
  if (PostgresEnvironment::server() == nullptr) return "";
  const std::string name = testing::NextDatabaseName();
  std::string error;
  if (!PostgresEnvironment::server()->CreateDatabase(name, &error)) {
    ADD_FAILURE() << "CREATE DATABASE " << name << ": " << error;
    return "";
  }
  return PostgresEnvironment::server()->Url(name);
}

// The conformance suite's factory: one database per directory, made on first use, so that a
// store made again on the same directory (Reopen) finds the earlier one's data.
std::unique_ptr<Store> MakePostgresStore(const std::string& dir) {
  static std::mutex mu;
  static std::map<std::string, std::string> url_of_dir;
  std::string url;
  {
    std::lock_guard<std::mutex> lock(mu);
    url = url_of_dir[dir];
  }
  if (url.empty()) {
    url = NewDatabase();
    if (url.empty()) return nullptr;
    std::lock_guard<std::mutex> lock(mu);
    url_of_dir[dir] = url;
  }
  Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url);
  if (!store) {
    ADD_FAILURE() << "PostgresStore::Open: " << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
                         ::testing::Values(conformance::StoreFactory(MakePostgresStore)));

// A fresh database per test, and stores opened on it.
class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = NewDatabase();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_FALSE(url_.empty());
  }

  std::unique_ptr<PostgresStore> Open() {
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url_);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Runs one SQL command on the test's database outside the store; its first value as text.
  std::string Sql(const std::string& sql) {
    PGconn* conn = PQconnectdb(url_.c_str());
    EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* r = PQexec(conn, sql.c_str());
    const ExecStatusType status = PQresultStatus(r);
    EXPECT_TRUE(status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        << sql << ": " << PQresultErrorMessage(r);
    std::string value = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    PQfinish(conn);
    return value;
  }

  std::string url_;
};

// ---- migrations ------------------------------------------------------------------------------

TEST_F(PostgresStoreTest, MigratesANewDatabaseOnceAndReopensWithoutMigrating) {
  ASSERT_NE(Open(), nullptr);
  EXPECT_EQ(Sql("SELECT string_agg(version::text, ',') FROM schema_version"),
            std::to_string(PostgresStore::kSchemaVersion));
  ASSERT_NE(Open(), nullptr);
  EXPECT_EQ(Sql("SELECT count(*) FROM schema_version"), "1");
}

// Rollups outlive samples, so the step to one row per source and bucket converts the rows per
// series rather than rebuilding them from the samples; a metric without a row is one without
// values, a row without the error metric's is passed over (series_rollup_rows.h).
TEST_F(PostgresStoreTest, MigratingADatabaseOfVersion7ConvertsItsRollupRowsPerSeries) {
  std::vector<Rollup> live;
  {
    std::unique_ptr<PostgresStore> store = Open();
    ASSERT_NE(store, nullptr);
    std::vector<Sample> batch = conformance::SeriesRollupHistory();
    ASSERT_TRUE(store->AppendSamples(batch).ok());
    live = conformance::EveryRollup(*store);
  }
  ASSERT_FALSE(live.empty());
  Sql(std::string(conformance::kCreatePostgresSeriesRollups));
  const conformance::FormerRows former = conformance::FormerRowsWithAGap(live);
  Sql(conformance::InsertSeriesRollupRows(former.written));
  Sql("DROP TABLE source_rollups");
  Sql("DROP TABLE sketch_hours");
  Sql("DELETE FROM samples");
  Sql("UPDATE schema_version SET version = 7");
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(conformance::EveryRollup(*store), former.converted);
  EXPECT_EQ(Sql("SELECT to_regclass('rollups') IS NULL"), "t");
}

TEST_F(PostgresStoreTest, ServersStartingAtOnceMigrateOnce) {
  constexpr int kStores = 6;
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  std::vector<std::string> errors(kStores);
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] {
      Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url_);
      if (store) {
        ++opened;
      } else {
        errors[i] = store.error().message;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(opened, kStores) << errors[0] << errors[1];
  EXPECT_EQ(Sql("SELECT count(*) FROM schema_version"), "1");
}

TEST_F(PostgresStoreTest, RefusesADatabaseNewerThanThisBuild) {
  ASSERT_NE(Open(), nullptr);
  Sql("INSERT INTO schema_version (version) VALUES (" +
      std::to_string(PostgresStore::kSchemaVersion + 1) + ")");
  Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "storage_error");
  EXPECT_NE(store.error().message.find("newer than this build"), std::string::npos)
      << store.error().message;
}

// ---- coordination between stores on one database ---------------------------------------------

// Two stores (two servers) append from several threads while a reader tails by id: every sample
// the reader ever sees arrives in id order and none is skipped, because ids commit in order.
TEST_F(PostgresStoreTest, AReaderTailingByIdMissesNoSampleOfConcurrentAppenders) {
  std::unique_ptr<PostgresStore> a = Open(), b = Open(), reader = Open();
  ASSERT_TRUE(a && b && reader);
  constexpr int kThreadsPerStore = 2, kBatches = 40, kBatchSize = 5;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (PostgresStore* store : {a.get(), b.get()}) {
    for (int t = 0; t < kThreadsPerStore; ++t) {
      writers.emplace_back([&, store] {
        for (int i = 0; i < kBatches; ++i) {
          std::vector<Sample> batch(kBatchSize, MakeSample(i, Source("p", "m")));
          if (!store->AppendSamples(batch).ok()) ++failures;
        }
      });
    }
  }
  std::vector<int64_t> seen;
  auto tail = [&] {
    SampleQuery q;
    q.after_id = seen.empty() ? 0 : seen.back();
    Result<std::vector<Sample>> page = reader->QuerySamples(q);
    if (!page) {
      ++failures;
      return;
    }
    for (const Sample& s : *page) seen.push_back(s.id);
  };
  std::thread tailer([&] {
    while (writing) tail();
  });
  for (std::thread& w : writers) w.join();
  writing = false;
  tailer.join();
  tail();
  EXPECT_EQ(failures, 0);
  Result<std::vector<Sample>> all = reader->QuerySamples(SampleQuery{});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), size_t{2 * kThreadsPerStore * kBatches * kBatchSize});
  std::vector<int64_t> all_ids;
  for (const Sample& s : *all) all_ids.push_back(s.id);
  EXPECT_EQ(seen, all_ids);
}

ViolationRecord EventOf(const SourceKey& source, int64_t first_index) {
  ViolationRecord v;
  v.series = SeriesKey{source, Metric::kE2eMs};
  v.rule = spc::Rule::kR1;
  v.stage = 1;
  v.first_index = v.last_index = first_index;
  v.count = 1;
  v.first_time_ms = v.last_time_ms = v.created_ms = 1000 + first_index;
  v.context_json = "{}";
  return v;
}

// WriteViolationsOnce of `violations`, through pointers as the monitor hands them.
Status WriteOnce(PostgresStore& store, std::vector<ViolationRecord>& violations) {
  std::vector<ViolationRecord*> records;
  for (ViolationRecord& v : violations) records.push_back(&v);
  return store.WriteViolationsOnce(records);
}

TEST_F(PostgresStoreTest, WriteViolationsOnceStoresAnEventOnceForEveryStore) {
  std::unique_ptr<PostgresStore> a = Open(), b = Open();
  ASSERT_TRUE(a && b);
  std::vector<ViolationRecord> first = {EventOf(Source("p", "m"), 40)};
  Status written = WriteOnce(*a, first);
  ASSERT_TRUE(written.ok()) << written.error().message;
  ASSERT_GT(first[0].id, 0);
  ASSERT_TRUE(a->SetViolationStatus(first[0].id, ViolationStatus::kAcknowledged, "ann", 5).ok());

  // One flush of b: the event a stored (it gets a's row, status and all), four other events
  // (another first index, stage, phase or rule each), and a grown extent of a's event.
  std::vector<ViolationRecord> flush(5, EventOf(Source("p", "m"), 40));
  flush[0].created_ms = 99;
  flush[1].first_index = 41;
  flush[2].stage = 2;
  flush[3].phase = spc::Phase::kBaseline;
  flush[4].rule = spc::Rule::kR2;
  ViolationRecord grown = first[0];
  grown.last_index = 45;
  grown.count = 6;
  flush.push_back(grown);
  written = WriteOnce(*b, flush);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(flush[0].id, first[0].id);
  EXPECT_EQ(flush[0].status, ViolationStatus::kAcknowledged);
  EXPECT_EQ(flush[0].status_by, "ann");
  EXPECT_EQ(flush[0].status_time_ms, 5);
  EXPECT_EQ(flush[0].created_ms, first[0].created_ms);
  std::set<int64_t> ids;
  for (const ViolationRecord& v : flush) ids.insert(v.id);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(a->Stats()->violations, 5);
  // Counted once each, though both servers wrote the first (violation_counts.h).
  Result<std::vector<ViolationCount>> counts = a->QueryViolationCounts(
      ViolationCountQuery{SeriesKey{Source("p", "m"), Metric::kE2eMs}, kRollupMinuteMs});
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  int64_t counted = 0;
  for (const ViolationCount& c : *counts) counted += c.count;
  EXPECT_EQ(counted, 5);
  Result<std::optional<ViolationRecord>> stored = a->GetViolation(first[0].id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->last_index, 45);
  EXPECT_EQ((*stored)->count, 6);
  EXPECT_EQ((*stored)->status, ViolationStatus::kAcknowledged);

  // Written again (a flush retried), nothing new is stored and the ids stay.
  std::vector<ViolationRecord> again(flush.begin(), flush.begin() + 5);
  for (ViolationRecord& v : again) v.id = 0;
  ASSERT_TRUE(WriteOnce(*a, again).ok());
  for (size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].id, flush[i].id) << i;
  EXPECT_EQ(a->Stats()->violations, 5);
}

TEST_F(PostgresStoreTest, RacingFlushesOfOverlappingEventsKeepOneRowEachAndShareItsId) {
  std::unique_ptr<PostgresStore> a = Open(), b = Open();
  ASSERT_TRUE(a && b);
  constexpr int kEvents = 200, kFlush = 20;
  std::vector<int64_t> ids_a(kEvents), ids_b(kEvents);
  std::atomic<int> failures{0};
  // Each store flushes every event, kFlush at a time, a in ascending order and b descending, each
  // flush also growing the extents of the events of its previous flush: their locks overlap.
  auto write_all = [&](PostgresStore* store, bool descending, std::vector<int64_t>* ids) {
    std::vector<ViolationRecord> previous;
    for (int start = 0; start < kEvents; start += kFlush) {
      std::vector<ViolationRecord> flush;
      for (int i = start; i < start + kFlush; ++i) {
        flush.push_back(EventOf(Source("p", "m"), descending ? kEvents - 1 - i : i));
      }
      for (ViolationRecord v : previous) {
        ++v.last_index;
        flush.push_back(v);
      }
      if (Status s = WriteOnce(*store, flush); !s) {
        ADD_FAILURE() << s.error().message;
        ++failures;
        return;
      }
      previous.assign(flush.begin(), flush.begin() + kFlush);
      for (const ViolationRecord& v : previous) (*ids)[v.first_index] = v.id;
    }
  };
  std::thread ta(write_all, a.get(), false, &ids_a), tb(write_all, b.get(), true, &ids_b);
  ta.join();
  tb.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(ids_a, ids_b);
  EXPECT_EQ(std::set<int64_t>(ids_a.begin(), ids_a.end()).size(), size_t{kEvents});
  EXPECT_EQ(a->Stats()->violations, kEvents);
}

TEST_F(PostgresStoreTest, PlacedStageBeginsAtTheNextAppendedSample) {
  std::unique_ptr<PostgresStore> a = Open(), b = Open();
  ASSERT_TRUE(a && b);
  StageRecord stage;
  stage.series = SeriesKey{Source("p", "m"), Metric::kE2eMs};
  stage.stage.number = 1;
  stage.stage.mean = 1.0 / 3.0;
  ASSERT_TRUE(a->PlaceStage(stage).ok());
  EXPECT_GE(stage.start_sample_id, 1);

  std::vector<Sample> before = {MakeSample(1, Source("p", "m")), MakeSample(2, Source("q", "m"))};
  ASSERT_TRUE(b->AppendSamples(before).ok());
  EXPECT_EQ(before.front().id, stage.start_sample_id);

  StageRecord second = stage;
  second.stage.number = 2;
  ASSERT_TRUE(b->PlaceStage(second).ok());
  EXPECT_GT(second.start_sample_id, before.back().id);
  std::vector<Sample> after = {MakeSample(3, Source("p", "m"))};
  ASSERT_TRUE(a->AppendSamples(after).ok());
  EXPECT_GE(after.front().id, second.start_sample_id);

  // Placed stages are read back in placement order, not saved as the series' stages.
  Result<std::vector<PlacedStage>> placed = a->PlacedStagesAfter(0);
  ASSERT_TRUE(placed.ok()) << placed.error().message;
  ASSERT_EQ(placed->size(), 2u);
  EXPECT_LT((*placed)[0].id, (*placed)[1].id);
  EXPECT_EQ((*placed)[0].stage.start_sample_id, stage.start_sample_id);
  EXPECT_EQ((*placed)[0].stage.stage.mean, 1.0 / 3.0);
  EXPECT_EQ((*placed)[1].stage.stage.number, 2);
  EXPECT_EQ(b->PlacedStagesAfter((*placed)[0].id)->size(), 1u);
  EXPECT_TRUE(a->LoadStages(stage.series)->empty());
}

DeliveryRecord Delivery(int i) {
  DeliveryRecord d;
  d.key = "v" + std::to_string(i) + "/hook/open";
  d.violation_id = i;
  d.sink = "hook";
  d.payload_json = "{}";
  d.next_attempt_ms = 100 + i;
  d.created_ms = 50;
  return d;
}

// Two stores, two threads each, claim and finish every due row: no row is held twice, and
// every row is delivered exactly once.
TEST_F(PostgresStoreTest, ConcurrentClaimersOnTwoStoresNeverGetTheSameRow) {
  std::unique_ptr<PostgresStore> a = Open(), b = Open();
  ASSERT_TRUE(a && b);
  constexpr int kRows = 300;
  for (int i = 0; i < kRows; ++i) {
    DeliveryRecord d = Delivery(i);
    ASSERT_TRUE(a->EnqueueDelivery(d).value());
  }
  std::mutex mu;
  std::map<int64_t, std::string> claimed_by;
  std::atomic<int> duplicates{0}, failures{0};
  auto claimer = [&](PostgresStore* store, std::string owner) {
    for (int round = 0; round < 1000; ++round) {
      Result<std::vector<DeliveryRecord>> got = store->ClaimDueDeliveries(owner, 10'000, 60'000, 7);
      if (!got) {
        ++failures;
        continue;
      }
      if (got->empty()) return;
      for (DeliveryRecord& d : *got) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!claimed_by.emplace(d.id, owner).second) ++duplicates;
        }
        d.state = DeliveryState::kDelivered;
        d.attempts = 1;
        d.delivered_ms = d.updated_ms = 10'001;
        if (!store->FinishDelivery(d, owner).ok()) ++failures;
      }
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(claimer, a.get(), "a1");
  threads.emplace_back(claimer, a.get(), "a2");
  threads.emplace_back(claimer, b.get(), "b1");
  threads.emplace_back(claimer, b.get(), "b2");
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(claimed_by.size(), size_t{kRows});
  EXPECT_EQ(Sql("SELECT count(*) FROM deliveries WHERE state = 'delivered' AND attempts = 1"),
            std::to_string(kRows));
  std::set<std::string> owners;
  for (const auto& [id, owner] : claimed_by) owners.insert(owner.substr(0, 1));
  EXPECT_EQ(owners.size(), 2u) << "both stores took part";
}

// ---- connection loss -------------------------------------------------------------------------

TEST_F(PostgresStoreTest, ReconnectsOnTheCallAfterTheServerRestarted) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  std::vector<Sample> batch = {MakeSample(1, Source("p", "m"))};
  ASSERT_TRUE(store->AppendSamples(batch).ok());

  std::string error;
  ASSERT_TRUE(PostgresEnvironment::server()->Restart(&error)) << error;

  // Calls were one at a time, so the pool holds one connection: the restart broke it.
  Result<StoreStats> failed = store->Stats();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "storage_error");
  Result<StoreStats> stats = store->Stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->samples, 1);
  std::vector<Sample> more = {MakeSample(2, Source("p", "m"))};
  ASSERT_TRUE(store->AppendSamples(more).ok());
  EXPECT_GT(more.front().id, batch.front().id);
}

TEST_F(PostgresStoreTest, ErrorsNeverShowThePassword) {
  // Trust authentication ignores the password; the database name is wrong on purpose.
  const std::string url = "postgres://postgres:pw-XYZZY-42@127.0.0.1:" +
                          std::to_string(PostgresEnvironment::server()->port()) +
                          "/no_such_database_pw-XYZZY-42";
  Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "storage_error");
  EXPECT_EQ(store.error().message.find("pw-XYZZY-42"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("***"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace llmscope::store
