// PostgresStore: the Store on a PostgreSQL database (docs/design.md "Scale"), for several servers
// on one database (a SharedStore). Chosen by a store URL
// "postgres://user[:password]@host[:port]/db" (libpq's URL form, query parameters such as
// ?sslmode=require included).
//
// Schema: versioned in the table schema_version. Open applies the pending migration steps, in
// order, in one transaction under a transaction-level advisory lock, so two servers starting at
// once on a new database migrate it once; a database whose version is newer than
// kSchemaVersion is refused.
//
// Values: every field round-trips exactly: doubles travel and are stored as float8 in binary
// form, bit for bit (NaN, infinities, -0.0 and subnormals included); integers as int8; text as
// text (PostgreSQL's text cannot hold a NUL character: such a string fails the write). Text keys
// compare and sort byte by byte (COLLATE "C"), whatever the database's locale. Ids are BIGSERIAL,
// increasing, never reused; a duplicate sample (an ingest key stored already) uses one up, so
// sample ids may skip.
//
// Coordination (SharedStore): AppendSamples and PlaceStage take one transaction-level advisory
// lock, so the appends of all servers are serialized and their ids commit in increasing order,
// and a stage placed before a sample commits before it; violations
// inserted by WriteViolationsOnce are unique by event key (a partial unique index and INSERT ...
// ON CONFLICT DO NOTHING); ClaimDueDeliveries claims with UPDATE ... WHERE id IN (SELECT ... FOR
// UPDATE SKIP LOCKED), so two servers never hold one outbox row.
//
// Threads: every method may be called from any thread at once; each call takes one connection
// of a small pool for its duration. Statements are prepared per connection, every value a
// parameter.
//
// Errors: "storage_error" with PostgreSQL's message (never the password of the URL),
// "not_found", "conflict". A call that finds the connection lost (the server restarted) fails
// with "storage_error"; the next call reconnects. Nothing throws.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "store/postgres/pg_connection.h"
#include "store/records.h"
#include "store/schema_upgrade.h"
#include "store/shared_store.h"

namespace llmscope::store {

class PostgresStore final : public SharedStore {
 public:
  // The schema version this code writes: the number of migration steps.
  static constexpr int kSchemaVersion = 9;
  // Connections per store.
  static constexpr int kPoolSize = 4;

  // Connects to `url` and migrates the database to kSchemaVersion. "invalid_store_url" for a
  // URL libpq cannot parse; "storage_error" when the server cannot be reached or refuses.
  // `upgrade_notice` is told before an existing database's schema is upgraded (schema_upgrade.h).
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url,
                                                     const SchemaUpgradeNotice& upgrade_notice = {});

  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  Result<AppendResult> AppendSamples(std::vector<Sample>& samples) override;
  Result<std::vector<Sample>> QuerySamples(const SampleQuery& query) override;
  Result<std::vector<Sample>> SamplesWithIds(const std::vector<int64_t>& ids,
                                             SampleFields fields) override;
  Result<std::vector<SourceKey>> ListSources() override;
  Result<StoreStats> Stats() override;
  // In postgres_daily_counts.cc.
  Result<std::vector<DailySampleCount>> CountSamplesByDay(int64_t since_ms,
                                                          int64_t until_ms) override;

  Status SaveStage(const StageRecord& stage) override;
  Result<std::vector<StageRecord>> LoadStages(const SeriesKey& series) override;
  // Ordered by provider, model, site, profile, then metric name.
  Result<std::vector<StageRecord>> LoadLatestStages() override;

  Status InsertViolation(ViolationRecord& violation) override;
  Status UpdateViolationExtent(const ViolationRecord& violation) override;
  Status WriteViolations(std::span<ViolationRecord* const> violations) override;
  Status SetViolationStatus(int64_t id, ViolationStatus status, const std::string& by,
                            int64_t time_ms) override;
  Result<std::optional<ViolationRecord>> GetViolation(int64_t id) override;
  Result<std::vector<ViolationRecord>> QueryViolations(const ViolationQuery& query) override;
  Result<std::vector<ViolationMark>> QueryViolationMarks(const ViolationQuery& query) override;
  // postgres_violation_counts.cc
  Result<std::vector<ViolationCount>> QueryViolationCounts(
      const ViolationCountQuery& query) override;

  Result<int64_t> DeleteOlderThan(int64_t cutoff_ms) override;

  // postgres_rollups.cc
  Result<std::vector<Rollup>> QueryRollups(const RollupQuery& query) override;
  Result<int64_t> RebuildRollups(int64_t since_ms) override;
  Result<int64_t> DeleteRollupsOlderThan(int64_t width_ms, int64_t cutoff_ms) override;
  Status PutSketchHours(const std::vector<SketchHour>& hours) override;
  Result<std::vector<SeriesSketchHour>> QuerySketchHours(const SeriesKey& series, int64_t since_ms,
                                                         int64_t until_ms) override;
  Result<std::optional<int64_t>> NewestSketchHour(const SourceKey& source) override;

  Result<bool> EnqueueDelivery(DeliveryRecord& delivery) override;
  Result<std::vector<DeliveryRecord>> ClaimDueDeliveries(const std::string& owner, int64_t now_ms,
                                                         int64_t lease_ms, int limit) override;
  Status FinishDelivery(const DeliveryRecord& delivery, const std::string& owner) override;
  Result<std::vector<DeliveryRecord>> DeliveriesOfViolation(int64_t violation_id) override;
  Result<std::optional<DeliveryRecord>> DeliveryWithKey(const std::string& key) override;

  Status InsertSilence(SilenceRecord& silence) override;
  Result<std::vector<SilenceRecord>> ActiveSilences(int64_t now_ms) override;
  Status ExpireSilence(int64_t id, int64_t now_ms) override;

  // postgres_settings.cc
  Result<SettingRecord> PutSetting(const SettingWrite& write) override;
  Status DeleteSetting(const std::string& kind, const std::string& id, const std::string& actor,
                       int64_t now_ms) override;
  Result<std::optional<SettingRecord>> GetSetting(const std::string& kind,
                                                  const std::string& id) override;
  Result<std::vector<SettingRecord>> ListSettings(const std::string& kind) override;
  Result<SettingsRevision> GetSettingsRevision() override;
  Result<std::vector<SettingAuditRecord>> QuerySettingsAudit(const std::string& kind,
                                                             int64_t before_id,
                                                             int limit) override;

  // postgres_demo.cc; DeleteDemoData also deletes the demo sources' placed stages.
  Status MarkDemoSource(const SourceKey& source, int64_t now_ms) override;
  Result<std::vector<SourceKey>> DemoSources() override;
  Result<int64_t> DeleteDemoData() override;

  Status WriteViolationsOnce(std::span<ViolationRecord* const> violations) override;
  Status PlaceStage(StageRecord& stage) override;
  Result<std::vector<PlacedStage>> PlacedStagesAfter(int64_t after_id) override;

 private:
  explicit PostgresStore(std::unique_ptr<pg::PgPool> pool);
  // WriteViolations, or with `once` WriteViolationsOnce: one transaction, its statements in one
  // pipeline (a second one for the events another transaction committed meanwhile).
  Status WriteViolationsIn(std::span<ViolationRecord* const> violations, bool once);

  std::unique_ptr<pg::PgPool> pool_;
};

}  // namespace llmscope::store
