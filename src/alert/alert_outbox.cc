#include "alert/alert_outbox.h"

#include "alert/alert_facts.h"
#include "alert/routing.h"

namespace llmscope::alert {

std::string DeliveryKey(int64_t violation_id, const std::string& sink, store::DeliveryKind kind) {
  return "v" + std::to_string(violation_id) + "/" + sink + "/" +
         std::string(store::DeliveryKindName(kind));
}

AlertOutbox::AlertOutbox(store::Store& store, AlertConfig config, Clock now, Log log,
                         std::function<void()> on_enqueued)
    : store_(store),
      config_(std::make_shared<const AlertConfig>(std::move(config))),
      now_(std::move(now)),
      log_(std::move(log)),
      on_enqueued_(std::move(on_enqueued)) {}

void AlertOutbox::Reconfigure(AlertConfig config) {
  auto next = std::make_shared<const AlertConfig>(std::move(config));
  std::lock_guard<std::mutex> lock(config_mu_);
  config_ = std::move(next);
}

std::shared_ptr<const AlertConfig> AlertOutbox::Config() const {
  std::lock_guard<std::mutex> lock(config_mu_);
  return config_;
}

Result<bool> AlertOutbox::Enqueue(store::DeliveryRecord& row, const std::string& held_back) {
  const int64_t now = now_();
  row.state =
      held_back.empty() ? store::DeliveryState::kPending : store::DeliveryState::kSuppressed;
  row.last_error = held_back;
  row.next_attempt_ms = now;
  row.created_ms = row.updated_ms = now;
  return store_.EnqueueDelivery(row);
}

void AlertOutbox::OnViolationChanges(const std::vector<ViolationChange>& changes) {
  int added = 0;
  for (const ViolationChange& c : changes) {
    const store::ViolationRecord& v = *c.violation;
    Result<int> r = c.kind == ViolationChange::Kind::kOpened ? EnqueueOpen(v) : EnqueueResolve(v);
    // Not lost: CatchUp on the next start enqueues it again.
    if (!r)
      log_("alert: cannot enqueue alerts of violation " + std::to_string(v.id) + ": " +
           r.error().message);
    if (r) added += *r;
  }
  if (added > 0 && on_enqueued_) on_enqueued_();
}

Result<int> AlertOutbox::EnqueueOpen(const store::ViolationRecord& v) {
  const std::shared_ptr<const AlertConfig> config = Config();
  if (v.phase != spc::Phase::kMonitoring || v.id <= 0) return 0;
  const Severity severity = SeverityOf(v.rule, config->severities);
  if (severity < config->min_severity) return 0;
  Result<std::optional<int64_t>> grouped = GroupedWith(v, severity);
  if (!grouped) return grouped.error();
  const std::string held_back = *grouped ? "grouped with violation " + std::to_string(**grouped) +
                                               " (same source, opened within " +
                                               std::to_string(config->group_window_s) + " s)"
                                         : "";
  const AlertFacts facts =
      FactsOfViolation(v, store::DeliveryKind::kOpen, severity, config->public_url);
  const std::string payload = FactsToJson(facts);
  int added = 0;
  for (const std::string& sink : RouteSinks(config->routes, facts)) {
    store::DeliveryRecord row;
    row.key = DeliveryKey(v.id, sink, store::DeliveryKind::kOpen);
    row.violation_id = v.id;
    row.sink = sink;
    row.kind = store::DeliveryKind::kOpen;
    row.payload_json = payload;
    Result<bool> inserted = Enqueue(row, held_back);
    if (!inserted) return inserted.error();
    added += *inserted ? 1 : 0;
  }
  return added;
}

Result<std::optional<int64_t>> AlertOutbox::GroupedWith(const store::ViolationRecord& v,
                                                        Severity severity) {
  const std::shared_ptr<const AlertConfig> config = Config();
  if (config->group_window_s <= 0) return std::optional<int64_t>();
  const int64_t window_ms = config->group_window_s * 1000;
  std::vector<Severity> as_severe;
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    if (s >= severity) as_severe.push_back(s);
  }
  store::ViolationQuery q;
  q.provider = v.series.source.provider;
  q.model = v.series.source.model;
  q.rules = RulesOfSeverity(as_severe, config->severities);
  q.phase = spc::Phase::kMonitoring;
  q.since_ms = v.created_ms - window_ms;
  q.until_ms = v.created_ms + 1;
  q.limit = 200;
  q.context = store::ViolationQuery::Context::kNone;
  Result<std::vector<store::ViolationRecord>> found = store_.QueryViolations(q);
  if (!found) return found.error();
  std::optional<int64_t> first;
  for (const store::ViolationRecord& other : *found) {
    if (other.id >= v.id || other.series.source != v.series.source) continue;
    if (other.created_ms < v.created_ms - window_ms || other.created_ms > v.created_ms) continue;
    if (!first || other.id < *first) first = other.id;
  }
  return first;
}

Result<int> AlertOutbox::EnqueueResolve(const store::ViolationRecord& v) {
  const std::shared_ptr<const AlertConfig> config = Config();
  if (v.status != store::ViolationStatus::kResolved) return 0;
  Result<std::vector<store::DeliveryRecord>> rows = store_.DeliveriesOfViolation(v.id);
  if (!rows) return rows.error();
  const AlertFacts facts = FactsOfViolation(
      v, store::DeliveryKind::kResolve, SeverityOf(v.rule, config->severities), config->public_url);
  const std::string payload = FactsToJson(facts);
  int added = 0;
  for (const store::DeliveryRecord& open : *rows) {
    if (open.kind != store::DeliveryKind::kOpen) continue;
    const SinkConfig* sink = config->FindSink(open.sink);
    if (sink == nullptr || !sink->send_resolved) continue;
    store::DeliveryRecord row;
    row.key = DeliveryKey(v.id, open.sink, store::DeliveryKind::kResolve);
    row.violation_id = v.id;
    row.sink = open.sink;
    row.kind = store::DeliveryKind::kResolve;
    row.payload_json = payload;
    Result<bool> inserted = Enqueue(row);
    if (!inserted) return inserted.error();
    added += *inserted ? 1 : 0;
  }
  return added;
}

Result<int> AlertOutbox::CatchUp() {
  const std::shared_ptr<const AlertConfig> config = Config();
  store::ViolationQuery q;
  q.status = store::ViolationStatus::kOpen;
  q.phase = spc::Phase::kMonitoring;
  q.since_ms = now_() - config->catch_up_s * 1000;
  q.limit = 10000;
  Result<std::vector<store::ViolationRecord>> found = store_.QueryViolations(q);
  if (!found) return found.error();
  int added = 0;
  for (const store::ViolationRecord& v : *found) {
    Result<int> r = EnqueueOpen(v);
    if (!r) return r.error();
    added += *r;
  }
  if (added > 0 && on_enqueued_) on_enqueued_();
  return added;
}

Result<std::string> AlertOutbox::EnqueueTest(const std::string& sink) {
  const std::shared_ptr<const AlertConfig> config = Config();
  if (config->FindSink(sink) == nullptr) return Error{"not_found", "no sink named '" + sink + "'"};
  const int64_t now = now_();
  store::DeliveryRecord row;
  row.key = "test/" + sink + "/" + std::to_string(now);
  row.sink = sink;
  row.kind = store::DeliveryKind::kTest;
  row.payload_json = FactsToJson(TestFacts(now, config->public_url));
  Result<bool> inserted = Enqueue(row);
  if (!inserted) return inserted.error();
  if (on_enqueued_) on_enqueued_();
  return row.key;
}

}  // namespace llmscope::alert
