// The outbox over a real SQLite store and the dispatcher sending to the local HTTP receiver on
// 127.0.0.1, with a hand-driven clock: enqueue rules, ordering of resolves, retries and
// Retry-After, removed sinks, and two senders on one database.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "alert/alert_dispatcher.h"
#include "alert/alert_outbox.h"
#include "alert_test_facts.h"
#include "fakes/alert_receiver.h"
#include "store/open_store.h"
#include "support/temp_dir.h"

namespace llmscope::alert {
namespace {

using llmscope::testing::AlertReceiver;
using llmscope::testing::PlannedReply;
using llmscope::testing::TempDir;
using testing::SampleViolation;

constexpr int64_t kT0 = 1704067200000;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(receiver_.Start());
    store_ = Open();
    config_.backoff_base_ms = 1000;
    config_.backoff_cap_ms = 8000;
    SinkConfig hook;
    hook.name = "hook";
    hook.type = SinkType::kWebhook;
    hook.url = receiver_.Url("/hook");
    SinkConfig quiet = hook;
    quiet.name = "quiet";
    quiet.send_resolved = false;
    config_.sinks = {hook, quiet};
    config_.routes = {RouteConfig{AlertMatch{}, {"hook", "quiet"}}};
    // SampleViolation is an R1, info by default: these tests make it an alert, and send the
    // violations of its one source each (grouping has a test of its own).
    config_.severities[spc::Rule::kR1] = Severity::kCritical;
    config_.group_window_s = 0;
  }

  std::unique_ptr<store::Store> Open() {
    auto s = store::OpenStore("sqlite://" + dir_.File("alerts.db"));
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }

  std::unique_ptr<AlertDispatcher> Dispatcher(store::Store& store, const std::string& owner) {
    AlertDispatcher::SinkMap sinks;
    for (const SinkConfig& s : config_.sinks) {
      sinks.emplace(s.name, MakeSink(s, [](const std::string&) { return std::nullopt; }).value());
    }
    DispatcherOptions o;
    o.owner = owner;
    o.now = [this] { return now_.load(); };
    o.random = [] { return 0.0; };
    o.log = [](const std::string&) {};
    o.idle_poll_ms = 20;
    return std::make_unique<AlertDispatcher>(store, config_, std::move(sinks), o);
  }

  AlertOutbox Outbox(store::Store& store) {
    return AlertOutbox(
        store, config_, [this] { return now_.load(); }, [](const std::string&) {});
  }

  store::ViolationRecord Violation() {
    store::ViolationRecord v = SampleViolation();
    v.id = 0;
    EXPECT_TRUE(store_->InsertViolation(v).ok());
    return v;
  }

  std::vector<store::DeliveryRecord> Rows(int64_t violation) {
    auto rows = store_->DeliveriesOfViolation(violation);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<store::DeliveryRecord>{};
  }

  const store::DeliveryRecord& Row(const std::vector<store::DeliveryRecord>& rows,
                                   const std::string& key) {
    for (const store::DeliveryRecord& r : rows) {
      if (r.key == key) return r;
    }
    static store::DeliveryRecord none;
    ADD_FAILURE() << "no row " << key;
    return none;
  }

  TempDir dir_{"llmscope-outbox"};
  AlertReceiver receiver_{0};
  std::unique_ptr<store::Store> store_;
  AlertConfig config_;
  std::atomic<int64_t> now_{kT0};
};

TEST_F(OutboxTest, OneOpenRowPerSinkIdempotentNoneForBaselineFindings) {
  AlertOutbox outbox = Outbox(*store_);
  store::ViolationRecord v = Violation();
  EXPECT_EQ(*outbox.EnqueueOpen(v), 2);
  EXPECT_EQ(*outbox.EnqueueOpen(v), 0);  // a restart, a second server: same keys
  const auto rows = Rows(v.id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(Row(rows, DeliveryKey(v.id, "hook", store::DeliveryKind::kOpen)).state,
            store::DeliveryState::kPending);
  EXPECT_EQ(Row(rows, "v" + std::to_string(v.id) + "/quiet/open").next_attempt_ms, kT0);
  Result<AlertFacts> facts = FactsFromJson(rows[0].payload_json);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->violation_id, v.id);
  EXPECT_EQ(facts->severity, Severity::kCritical);

  store::ViolationRecord baseline = SampleViolation();
  baseline.id = 0;
  baseline.phase = spc::Phase::kBaseline;
  ASSERT_TRUE(store_->InsertViolation(baseline).ok());
  EXPECT_EQ(*outbox.EnqueueOpen(baseline), 0);

  // Resolve notices only where an open row exists and the sink wants them.
  v.status = store::ViolationStatus::kResolved;
  v.status_time_ms = kT0 + 5000;
  EXPECT_EQ(*outbox.EnqueueResolve(v), 1);
  EXPECT_EQ(Rows(v.id).size(), 3u);
  EXPECT_EQ(*outbox.EnqueueResolve(v), 0);
}

TEST_F(OutboxTest, ByDefaultOnlyWarningAndCriticalAreSent) {
  config_.severities.clear();  // the defaults: chart rules info, SHIFT warning, JUMP critical
  AlertOutbox outbox = Outbox(*store_);
  store::ViolationRecord r1 = Violation();
  EXPECT_EQ(*outbox.EnqueueOpen(r1), 0);
  EXPECT_TRUE(Rows(r1.id).empty());
  for (spc::Rule rule : {spc::Rule::kShift, spc::Rule::kJump}) {
    store::ViolationRecord v = SampleViolation();
    v.id = 0;
    v.rule = rule;
    ASSERT_TRUE(store_->InsertViolation(v).ok());
    EXPECT_EQ(*outbox.EnqueueOpen(v), 2) << spc::RuleName(rule);
  }
  config_.min_severity = Severity::kInfo;  // a team that wants every signal
  AlertOutbox everything = Outbox(*store_);
  EXPECT_EQ(*everything.EnqueueOpen(r1), 2);
}

TEST_F(OutboxTest, AlertsOfOneSourceWithinTheWindowAreGroupedUnlessMoreSevere) {
  config_.severities.clear();
  config_.group_window_s = 900;
  AlertOutbox outbox = Outbox(*store_);
  auto alarm = [&](spc::Rule rule, Metric metric, int64_t created_ms, const std::string& model) {
    store::ViolationRecord v = SampleViolation();
    v.id = 0;
    v.rule = rule;
    v.series.metric = metric;
    v.series.source.model = model;
    v.created_ms = created_ms;
    v.first_time_ms = v.last_time_ms = created_ms - 60000;
    EXPECT_TRUE(store_->InsertViolation(v).ok());
    return v;
  };
  const store::ViolationRecord e2e = alarm(spc::Rule::kShift, Metric::kE2eMs, kT0, "m");
  EXPECT_EQ(*outbox.EnqueueOpen(e2e), 2);
  // TTFT of the same source two minutes later: recorded, not sent.
  const store::ViolationRecord ttft = alarm(spc::Rule::kShift, Metric::kTtftMs, kT0 + 120000, "m");
  EXPECT_EQ(*outbox.EnqueueOpen(ttft), 2);
  for (const store::DeliveryRecord& r : Rows(ttft.id)) {
    EXPECT_EQ(r.state, store::DeliveryState::kSuppressed);
    EXPECT_EQ(r.last_error, "grouped with violation " + std::to_string(e2e.id) +
                                " (same source, opened within 900 s)");
  }
  // More severe (a JUMP after the SHIFTs), another source, or after the window: sent.
  const store::ViolationRecord jump = alarm(spc::Rule::kJump, Metric::kTtftMs, kT0 + 180000, "m");
  const store::ViolationRecord other = alarm(spc::Rule::kShift, Metric::kE2eMs, kT0 + 1000, "n");
  const store::ViolationRecord later = alarm(spc::Rule::kShift, Metric::kTpotMs, kT0 + 3600000, "m");
  for (const store::ViolationRecord* v : {&jump, &other, &later}) {
    EXPECT_EQ(*outbox.EnqueueOpen(*v), 2);
    for (const store::DeliveryRecord& r : Rows(v->id)) {
      EXPECT_EQ(r.state, store::DeliveryState::kPending) << spc::RuleName(v->rule);
    }
  }
}

TEST_F(OutboxTest, ResolveWaitsForItsOpenAlertWhichIsRetriedWithRetryAfter) {
  config_.routes = {RouteConfig{AlertMatch{}, {"hook"}}};
  AlertOutbox outbox = Outbox(*store_);
  auto dispatcher = Dispatcher(*store_, "a");
  store::ViolationRecord v = Violation();
  ASSERT_EQ(*outbox.EnqueueOpen(v), 1);
  v.status = store::ViolationStatus::kResolved;
  v.status_time_ms = kT0;
  ASSERT_EQ(*outbox.EnqueueResolve(v), 1);
  const std::string open_key = DeliveryKey(v.id, "hook", store::DeliveryKind::kOpen);
  const std::string resolve_key = DeliveryKey(v.id, "hook", store::DeliveryKind::kResolve);

  receiver_.PushReply(PlannedReply{429, 30, std::chrono::milliseconds(0)});
  EXPECT_EQ(dispatcher->RunOnce(), 2);
  auto rows = Rows(v.id);
  EXPECT_EQ(Row(rows, open_key).state, store::DeliveryState::kPending);
  EXPECT_EQ(Row(rows, open_key).attempts, 1);
  EXPECT_EQ(Row(rows, open_key).next_attempt_ms, kT0 + 30000);  // Retry-After over 500 ms backoff
  EXPECT_EQ(Row(rows, open_key).last_error, "HTTP 429: try later");
  EXPECT_EQ(Row(rows, resolve_key).state, store::DeliveryState::kPending);
  EXPECT_EQ(Row(rows, resolve_key).attempts, 0);
  EXPECT_EQ(Row(rows, resolve_key).last_error, "waiting for the open alert");
  EXPECT_GT(Row(rows, resolve_key).next_attempt_ms, kT0 + 30000);

  now_ = kT0 + 29999;
  EXPECT_EQ(dispatcher->RunOnce(), 0);  // not yet due
  now_ = kT0 + 30000;
  EXPECT_EQ(dispatcher->RunOnce(), 1);
  now_ = kT0 + 40000;
  EXPECT_EQ(dispatcher->RunOnce(), 1);
  rows = Rows(v.id);
  EXPECT_EQ(Row(rows, open_key).state, store::DeliveryState::kDelivered);
  EXPECT_EQ(Row(rows, open_key).delivered_ms, kT0 + 30000);
  EXPECT_EQ(Row(rows, resolve_key).state, store::DeliveryState::kDelivered);
  const auto requests = receiver_.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].Header("Idempotency-Key"), open_key);
  EXPECT_EQ(requests[2].Header("Idempotency-Key"), resolve_key);
}

TEST_F(OutboxTest, FailedOpenSuppressesItsResolveRejectIsFinalRemovedSinkFails) {
  config_.max_attempts = 2;
  AlertOutbox outbox = Outbox(*store_);
  store::ViolationRecord v = Violation();
  ASSERT_EQ(*outbox.EnqueueOpen(v), 2);
  receiver_.PushReply(PlannedReply{500, -1, std::chrono::milliseconds(0)});
  receiver_.PushReply(PlannedReply{400, -1, std::chrono::milliseconds(0)});
  auto dispatcher = Dispatcher(*store_, "a");
  EXPECT_EQ(dispatcher->RunOnce(), 2);  // hook: 500 (retry); quiet: 400 (final)
  receiver_.PushReply(PlannedReply{503, -1, std::chrono::milliseconds(0)});
  now_ = kT0 + 60000;
  EXPECT_EQ(dispatcher->RunOnce(), 1);
  auto rows = Rows(v.id);
  const auto& hook = Row(rows, DeliveryKey(v.id, "hook", store::DeliveryKind::kOpen));
  EXPECT_EQ(hook.state, store::DeliveryState::kFailed);
  EXPECT_EQ(hook.attempts, 2);
  EXPECT_EQ(hook.last_error, "HTTP 503: try later (gave up after 2 attempts)");
  const auto& quiet = Row(rows, DeliveryKey(v.id, "quiet", store::DeliveryKind::kOpen));
  EXPECT_EQ(quiet.state, store::DeliveryState::kFailed);
  EXPECT_EQ(quiet.attempts, 1);

  v.status = store::ViolationStatus::kResolved;
  ASSERT_EQ(*outbox.EnqueueResolve(v), 1);
  EXPECT_EQ(dispatcher->RunOnce(), 1);
  EXPECT_EQ(Row(Rows(v.id), DeliveryKey(v.id, "hook", store::DeliveryKind::kResolve)).state,
            store::DeliveryState::kSuppressed);

  // A row whose sink is no longer configured.
  store::DeliveryRecord orphan;
  orphan.key = "test/gone/1";
  orphan.sink = "gone";
  orphan.kind = store::DeliveryKind::kTest;
  orphan.payload_json = FactsToJson(TestFacts(kT0, ""));
  orphan.next_attempt_ms = now_;
  ASSERT_TRUE(store_->EnqueueDelivery(orphan).ok());
  EXPECT_EQ(dispatcher->RunOnce(), 1);
  auto tests = store_->DeliveriesOfViolation(0);
  ASSERT_TRUE(tests.ok());
  ASSERT_EQ(tests->size(), 1u);
  EXPECT_EQ((*tests)[0].state, store::DeliveryState::kFailed);
  EXPECT_EQ((*tests)[0].last_error, "no sink named 'gone' in the config");
  EXPECT_EQ(receiver_.Requests().size(), 3u);
}

TEST_F(OutboxTest, AClaimOfADeadSenderLapsesAndTheRowIsSentByAnother) {
  config_.routes = {RouteConfig{AlertMatch{}, {"hook"}}};
  AlertOutbox outbox = Outbox(*store_);
  store::ViolationRecord v = Violation();
  ASSERT_EQ(*outbox.EnqueueOpen(v), 1);
  // A sender claims the row and dies before it records anything.
  auto held = store_->ClaimDueDeliveries("dead-sender", kT0, 10000, 10);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 1u);
  auto dispatcher = Dispatcher(*store_, "alive");
  EXPECT_EQ(dispatcher->RunOnce(), 0);  // still held
  now_ = kT0 + 10000;                   // the lease lapsed
  EXPECT_EQ(dispatcher->RunOnce(), 1);
  EXPECT_EQ(Rows(v.id)[0].state, store::DeliveryState::kDelivered);
  EXPECT_EQ(receiver_.Requests().size(), 1u);
  // The dead sender's late outcome is refused: the row is no longer its own.
  store::DeliveryRecord late = (*held)[0];
  late.state = store::DeliveryState::kFailed;
  Status finished = store_->FinishDelivery(late, "dead-sender");
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().code, "conflict");
  EXPECT_EQ(Rows(v.id)[0].state, store::DeliveryState::kDelivered);
}

TEST_F(OutboxTest, TwoSendersOnOneDatabaseSendEachRowOnce) {
  config_.routes = {RouteConfig{AlertMatch{}, {"hook"}}};
  config_.senders = 2;
  std::unique_ptr<store::Store> second = Open();  // as a second server on the same database
  AlertOutbox outbox = Outbox(*store_);
  std::vector<int64_t> ids;
  for (int i = 0; i < 40; ++i) {
    store::ViolationRecord v = Violation();
    ids.push_back(v.id);
    ASSERT_EQ(*outbox.EnqueueOpen(v), 1);
    ASSERT_EQ(*Outbox(*second).EnqueueOpen(v), 0);
  }
  auto a = Dispatcher(*store_, "server-a");
  auto b = Dispatcher(*second, "server-b");
  a->Start();
  b->Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (receiver_.Requests().size() < 40 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // any duplicate would land now
  a->Stop();
  b->Stop();
  const auto requests = receiver_.Requests();
  std::set<std::string> keys;
  for (const auto& r : requests) keys.insert(r.Header("Idempotency-Key"));
  EXPECT_EQ(requests.size(), 40u);
  EXPECT_EQ(keys.size(), 40u);
  for (int64_t id : ids) {
    const auto rows = Rows(id);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].state, store::DeliveryState::kDelivered);
    EXPECT_EQ(rows[0].attempts, 1);
  }
}

}  // namespace
}  // namespace llmscope::alert
