// The Store conformance suite, continued: the alert outbox and silences (store.h), for every
// implementation that instantiates StoreConformanceTest.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/records.h"
#include "store/store.h"
#include "tests/unit/store/store_conformance.h"

namespace llmscope::store::conformance {
namespace {

DeliveryRecord MakeDelivery(const std::string& key, int64_t violation_id, int64_t next_attempt_ms,
                            const std::string& sink = "ops-hook") {
  DeliveryRecord d;
  d.key = key;
  d.violation_id = violation_id;
  d.sink = sink;
  d.kind = DeliveryKind::kOpen;
  d.payload_json = R"({"rule":"R1","model":"llama3 'quoted' ✓"})";
  d.next_attempt_ms = next_attempt_ms;
  d.created_ms = 1000;
  return d;
}

// Enqueues and expects a new row.
int64_t Enqueue(Store& store, DeliveryRecord d) {
  Result<bool> inserted = store.EnqueueDelivery(d);
  EXPECT_TRUE(inserted.ok()) << inserted.error().message;
  EXPECT_TRUE(inserted.ok() && *inserted) << d.key;
  return d.id;
}

std::vector<int64_t> IdsOf(const std::vector<DeliveryRecord>& rows) {
  std::vector<int64_t> ids;
  for (const DeliveryRecord& d : rows) ids.push_back(d.id);
  return ids;
}

std::vector<DeliveryRecord> Claim(Store& store, const std::string& owner, int64_t now_ms,
                                  int limit = 100, int64_t lease_ms = 1000) {
  Result<std::vector<DeliveryRecord>> rows =
      store.ClaimDueDeliveries(owner, now_ms, lease_ms, limit);
  EXPECT_TRUE(rows.ok()) << rows.error().message;
  return rows.ok() ? *rows : std::vector<DeliveryRecord>();
}

// An open violation of one series, for the deliveries that point at it.
int64_t AddViolation(Store& store, int64_t last_time_ms, ViolationStatus status) {
  ViolationRecord v;
  v.series = SeriesKey{Source("p", "m"), Metric::kE2eMs};
  v.first_time_ms = v.last_time_ms = last_time_ms;
  v.count = 1;
  v.status = status;
  v.context_json = "{}";
  EXPECT_TRUE(store.InsertViolation(v).ok());
  return v.id;
}

TEST_P(StoreConformanceTest, EnqueueDeliveryIsIdempotentByKey) {
  DeliveryRecord d = MakeDelivery("v7/ops-hook/open", 7, 5000);
  Result<bool> first = store().EnqueueDelivery(d);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  EXPECT_GT(d.id, 0);

  DeliveryRecord again = MakeDelivery("v7/ops-hook/open", 7, 9999, "other");
  Result<bool> second = store().EnqueueDelivery(again);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(*second);
  EXPECT_EQ(again.id, 0);  // untouched

  Result<std::vector<DeliveryRecord>> rows = store().DeliveriesOfViolation(7);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].sink, "ops-hook");  // the first enqueue's row, unchanged
  EXPECT_EQ((*rows)[0].next_attempt_ms, 5000);
}

TEST_P(StoreConformanceTest, DeliveryWithKeyReadsOneRowByItsKey) {
  const int64_t test = Enqueue(store(), MakeDelivery("test/ops-hook/1700000000000", 0, 5000));
  Enqueue(store(), MakeDelivery("test/ops-hook/1700000000001", 0, 5000));
  Enqueue(store(), MakeDelivery("v7/ops-hook/open", 7, 5000));

  Result<std::optional<DeliveryRecord>> found = store().DeliveryWithKey("test/ops-hook/1700000000000");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, test);
  EXPECT_EQ((*found)->violation_id, 0);
  EXPECT_EQ((*found)->payload_json, R"({"rule":"R1","model":"llama3 'quoted' ✓"})");
  EXPECT_EQ((*store().DeliveryWithKey("v7/ops-hook/open"))->violation_id, 7);

  Result<std::optional<DeliveryRecord>> missing = store().DeliveryWithKey("test/ops-hook/2");
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
  EXPECT_FALSE(store().DeliveryWithKey("test/ops-hook/1700000000000' OR '1'='1")->has_value());
}

TEST_P(StoreConformanceTest, DeliveryRoundTripsEveryField) {
  DeliveryRecord d = MakeDelivery("v3/mail/resolve", 3, 2000, "mail");
  d.kind = DeliveryKind::kResolve;
  d.attempts = 2;
  d.last_error = "HTTP 500: try later";
  const int64_t id = Enqueue(store(), d);

  std::vector<DeliveryRecord> claimed = Claim(store(), "server-a", 2000);
  ASSERT_EQ(claimed.size(), 1u);
  const DeliveryRecord& got = claimed[0];
  EXPECT_EQ(got.id, id);
  EXPECT_EQ(got.key, "v3/mail/resolve");
  EXPECT_EQ(got.violation_id, 3);
  EXPECT_EQ(got.sink, "mail");
  EXPECT_EQ(got.kind, DeliveryKind::kResolve);
  EXPECT_EQ(got.payload_json, d.payload_json);
  EXPECT_EQ(got.state, DeliveryState::kPending);
  EXPECT_EQ(got.attempts, 2);
  EXPECT_EQ(got.next_attempt_ms, 2000);
  EXPECT_EQ(got.last_error, "HTTP 500: try later");
  EXPECT_EQ(got.claimed_by, "server-a");
  EXPECT_EQ(got.claimed_until_ms, 3000);
  EXPECT_EQ(got.created_ms, 1000);
  EXPECT_EQ(got.updated_ms, 1000);
  EXPECT_EQ(got.delivered_ms, 0);
}

TEST_P(StoreConformanceTest, AnEnqueuedRowIsUnclaimedWhateverTheRecordSays) {
  DeliveryRecord d = MakeDelivery("v5/hook/open", 5, 100);
  d.claimed_by = "stale";
  d.claimed_until_ms = 1'000'000;
  Result<bool> inserted = store().EnqueueDelivery(d);
  ASSERT_TRUE(inserted.ok()) << inserted.error().message;
  ASSERT_TRUE(*inserted);
  EXPECT_EQ(d.claimed_by, "");  // the record tells what was stored
  EXPECT_EQ(d.claimed_until_ms, 0);
  EXPECT_EQ(IdsOf(Claim(store(), "fresh", 100)), (std::vector<int64_t>{d.id}));
}

TEST_P(StoreConformanceTest, ClaimTakesDuePendingRowsEarliestFirstUpToTheLimit) {
  const int64_t late = Enqueue(store(), MakeDelivery("a", 1, 300));
  const int64_t early = Enqueue(store(), MakeDelivery("b", 1, 100));
  const int64_t tie = Enqueue(store(), MakeDelivery("c", 1, 100));
  const int64_t future = Enqueue(store(), MakeDelivery("d", 1, 10'000));
  (void)future;

  EXPECT_EQ(IdsOf(Claim(store(), "x", 300, /*limit=*/2)), (std::vector<int64_t>{early, tie}));
  EXPECT_EQ(IdsOf(Claim(store(), "y", 300)), (std::vector<int64_t>{late}));  // the rest that is due
  EXPECT_TRUE(Claim(store(), "z", 300).empty());  // all held, `future` not due
}

TEST_P(StoreConformanceTest, ClaimSkipsFinishedRowsAndRetakesLapsedClaims) {
  const int64_t a = Enqueue(store(), MakeDelivery("a", 1, 0));
  const int64_t b = Enqueue(store(), MakeDelivery("b", 1, 0));
  std::vector<DeliveryRecord> held = Claim(store(), "crashed", 100, 10, /*lease_ms=*/500);
  ASSERT_EQ(held.size(), 2u);

  DeliveryRecord done = held[0];
  done.state = DeliveryState::kDelivered;
  done.attempts = 1;
  done.delivered_ms = done.updated_ms = 150;
  ASSERT_TRUE(store().FinishDelivery(done, "crashed").ok());

  EXPECT_TRUE(Claim(store(), "other", 599).empty());  // b is still held until 600
  std::vector<DeliveryRecord> retaken = Claim(store(), "other", 600);
  EXPECT_EQ(IdsOf(retaken), (std::vector<int64_t>{b}));
  (void)a;
}

TEST_P(StoreConformanceTest, FinishDeliveryNeedsTheClaim) {
  const int64_t id = Enqueue(store(), MakeDelivery("k", 9, 0));
  DeliveryRecord d = Claim(store(), "owner", 10).at(0);

  d.state = DeliveryState::kPending;
  d.attempts = 1;
  d.next_attempt_ms = 5000;
  d.last_error = "HTTP 429";
  d.updated_ms = 20;
  Status wrong = store().FinishDelivery(d, "intruder");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "conflict");

  ASSERT_TRUE(store().FinishDelivery(d, "owner").ok());
  Status twice = store().FinishDelivery(d, "owner");  // the claim was freed
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, "conflict");
  Status nobody = store().FinishDelivery(d, "");  // a free row is held by no one, not by ""
  ASSERT_FALSE(nobody.ok());
  EXPECT_EQ(nobody.error().code, "conflict");

  DeliveryRecord unknown = d;
  unknown.id = id + 1000;
  Status missing = store().FinishDelivery(unknown, "owner");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "not_found");

  Result<std::vector<DeliveryRecord>> rows = store().DeliveriesOfViolation(9);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const DeliveryRecord& got = (*rows)[0];
  EXPECT_EQ(got.state, DeliveryState::kPending);
  EXPECT_EQ(got.attempts, 1);
  EXPECT_EQ(got.next_attempt_ms, 5000);
  EXPECT_EQ(got.last_error, "HTTP 429");
  EXPECT_EQ(got.updated_ms, 20);
  EXPECT_EQ(got.claimed_by, "");
  EXPECT_EQ(got.claimed_until_ms, 0);
  EXPECT_TRUE(Claim(store(), "owner", 4999).empty());  // not due before its next attempt
  EXPECT_EQ(Claim(store(), "owner", 5000).size(), 1u);
}

TEST_P(StoreConformanceTest, ConcurrentClaimersNeverHoldOneRow) {
  constexpr int kRows = 200;
  for (int i = 0; i < kRows; ++i) Enqueue(store(), MakeDelivery("k" + std::to_string(i), 1, 0));

  std::mutex mu;
  std::map<int64_t, int> times_claimed;
  std::vector<std::thread> claimers;
  for (int t = 0; t < 4; ++t) {
    claimers.emplace_back([&, t] {
      const std::string owner = "claimer-" + std::to_string(t);
      for (int round = 0; round < 100; ++round) {
        Result<std::vector<DeliveryRecord>> rows =
            store().ClaimDueDeliveries(owner, 10, /*lease_ms=*/1'000'000, 7);
        if (!rows.ok() || rows->empty()) return;
        std::lock_guard lock(mu);
        for (const DeliveryRecord& d : *rows) ++times_claimed[d.id];
      }
    });
  }
  for (std::thread& t : claimers) t.join();

  EXPECT_EQ(times_claimed.size(), static_cast<size_t>(kRows));
  for (const auto& [id, times] : times_claimed) EXPECT_EQ(times, 1) << "delivery " << id;
}

TEST_P(StoreConformanceTest, SuppressedDeliveriesAreKeptButNeverClaimed) {
  const int64_t a = Enqueue(store(), MakeDelivery("a", 1, 0));
  const int64_t b = Enqueue(store(), MakeDelivery("b", 2, 0));
  DeliveryRecord suppressed = MakeDelivery("c", 0, 0);
  suppressed.kind = DeliveryKind::kTest;
  suppressed.state = DeliveryState::kSuppressed;
  suppressed.last_error = "silenced";
  const int64_t c = Enqueue(store(), suppressed);

  EXPECT_EQ(IdsOf(Claim(store(), "x", 0)), (std::vector<int64_t>{a, b}));  // never c
  Result<std::vector<DeliveryRecord>> tests = store().DeliveriesOfViolation(0);
  ASSERT_TRUE(tests.ok());
  ASSERT_EQ(IdsOf(*tests), (std::vector<int64_t>{c}));
  EXPECT_EQ((*tests)[0].kind, DeliveryKind::kTest);
  EXPECT_EQ((*tests)[0].state, DeliveryState::kSuppressed);
  EXPECT_EQ((*tests)[0].last_error, "silenced");
}

TEST_P(StoreConformanceTest, SilencesAreActiveUntilTheyEnd) {
  SilenceRecord deploy;
  deploy.provider = "openai";
  deploy.rule = "R1";
  deploy.starts_ms = 1000;
  deploy.ends_ms = 5000;
  deploy.created_by = "ci";
  deploy.comment = "deploy <v2>";
  deploy.created_ms = 900;
  ASSERT_TRUE(store().InsertSilence(deploy).ok());
  SilenceRecord later;
  later.model = "llama3";
  later.metric = "ttft_ms";
  later.starts_ms = 6000;
  later.ends_ms = 9000;
  ASSERT_TRUE(store().InsertSilence(later).ok());
  EXPECT_GT(later.id, deploy.id);

  Result<std::vector<SilenceRecord>> active = store().ActiveSilences(4999);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 2u);  // current and future
  const SilenceRecord& got = (*active)[0];
  EXPECT_EQ(got.id, deploy.id);
  EXPECT_EQ(got.provider, "openai");
  EXPECT_EQ(got.model, "");
  EXPECT_EQ(got.metric, "");
  EXPECT_EQ(got.rule, "R1");
  EXPECT_EQ(got.starts_ms, 1000);
  EXPECT_EQ(got.ends_ms, 5000);
  EXPECT_EQ(got.created_by, "ci");
  EXPECT_EQ(got.comment, "deploy <v2>");
  EXPECT_EQ(got.created_ms, 900);
  EXPECT_EQ((*active)[1].metric, "ttft_ms");
  EXPECT_EQ(store().ActiveSilences(5000)->size(), 1u);  // ends_ms is exclusive

  ASSERT_TRUE(store().ExpireSilence(later.id, 7000).ok());
  ASSERT_TRUE(store().ExpireSilence(later.id, 8000).ok());  // never moves the end later
  Result<std::vector<SilenceRecord>> after = store().ActiveSilences(6500);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].ends_ms, 7000);
  Status missing = store().ExpireSilence(later.id + 100, 7000);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "not_found");
}

TEST_P(StoreConformanceTest, RetentionDropsDeliveriesWithTheirViolations) {
  const int64_t old_resolved = AddViolation(store(), 100, ViolationStatus::kResolved);
  const int64_t old_open = AddViolation(store(), 100, ViolationStatus::kOpen);
  Enqueue(store(), MakeDelivery("gone", old_resolved, 0));
  const int64_t kept = Enqueue(store(), MakeDelivery("kept", old_open, 0));
  DeliveryRecord test_alert = MakeDelivery("test-1", 0, 0);
  test_alert.created_ms = 100;
  Enqueue(store(), test_alert);

  ASSERT_TRUE(store().DeleteOlderThan(200).ok());
  EXPECT_TRUE(store().DeliveriesOfViolation(old_resolved)->empty());
  EXPECT_TRUE(store().DeliveriesOfViolation(0)->empty());
  EXPECT_EQ(IdsOf(*store().DeliveriesOfViolation(old_open)), (std::vector<int64_t>{kept}));
}

TEST_P(StoreConformanceTest, OutboxAndSilencesPersistAcrossReopening) {
  const int64_t id = Enqueue(store(), MakeDelivery("v1/hook/open", 1, 0));
  SilenceRecord s;
  s.ends_ms = 10'000;
  ASSERT_TRUE(store().InsertSilence(s).ok());
  ASSERT_EQ(Claim(store(), "before-crash", 0, 10, /*lease_ms=*/50).size(), 1u);
  Reopen();
  EXPECT_EQ(IdsOf(Claim(store(), "after-restart", 50)), (std::vector<int64_t>{id}));
  EXPECT_EQ(store().ActiveSilences(0)->size(), 1u);
}

}  // namespace
}  // namespace llmscope::store::conformance
