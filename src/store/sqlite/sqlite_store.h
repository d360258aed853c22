// SqliteStore: the embedded Store (docs/design.md "Data") on one SQLite file.
//
// Durability: the file runs in WAL mode with synchronous=NORMAL. A call that returned ok has its
// transaction written to the WAL file, so it survives the process being killed (kill -9). An OS
// crash or power loss may lose the last transactions committed before it, never part of one.
//
// Schema: versioned by PRAGMA user_version. Open applies the pending migration steps, in order,
// in one transaction; a file whose version is newer than kSchemaVersion is refused.
//
// Values: every field round-trips exactly. Doubles are stored as IEEE doubles (REAL columns) and
// read back bit for bit, with two exceptions that SQLite imposes: -0.0 reads back as +0.0 (equal
// in value), and NaN cannot be stored (an optional holding NaN reads back as nullopt; a required
// field holding NaN fails the write with "storage_error"). An empty string stays empty; an absent
// optional is NULL. The id a caller puts in a Sample or ViolationRecord is ignored: the store
// assigns ids, increasing, never reused (not even after retention deleted the newest rows).
//
// Threads: every method may be called from any thread at once. Writes go through one connection
// under a mutex, reads through a second connection under its own mutex; with WAL a read never
// waits for a write, and sees every call that returned before it began.
//
// Errors: "storage_error" with SQLite's message (I/O, corruption, constraint, busy beyond the
// 5 s busy timeout, a file that is not a database or is too new), "not_found". Nothing throws.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "store/records.h"
#include "store/schema_upgrade.h"
#include "store/store.h"

namespace llmscope::store {

namespace sqlite {
class SqliteConnection;  // sqlite_connection.h: one sqlite3 handle, its statements and mutex
}  // namespace sqlite

class SqliteStore final : public Store {
 public:
  // The schema version this code writes: the number of migration steps.
  static constexpr int kSchemaVersion = 10;

  // Opens or creates the database file at `path` (creating its parent directory if missing) and
  // migrates it to kSchemaVersion. Several stores, in one process or several, may open the same
  // file. An empty path or ":memory:" is refused: two connections need one shared file.
  // `upgrade_notice` is told before an existing file's schema is upgraded (schema_upgrade.h).
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   const SchemaUpgradeNotice& upgrade_notice = {});

  // Closes both connections; every call must have returned.
  ~SqliteStore() override;

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<AppendResult> AppendSamples(std::vector<Sample>& samples) override;
  Result<std::vector<Sample>> QuerySamples(const SampleQuery& query) override;
  Result<std::vector<Sample>> SamplesWithIds(const std::vector<int64_t>& ids,
                                             SampleFields fields) override;
  Result<std::vector<SourceKey>> ListSources() override;
  Result<StoreStats> Stats() override;
  // In sqlite_daily_counts.cc.
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
  // sqlite_violation_counts.cc
  Result<std::vector<ViolationCount>> QueryViolationCounts(
      const ViolationCountQuery& query) override;

  Result<int64_t> DeleteOlderThan(int64_t cutoff_ms) override;

  // sqlite_rollups.cc
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

  // sqlite_settings.cc
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

  // sqlite_demo.cc
  Status MarkDemoSource(const SourceKey& source, int64_t now_ms) override;
  Result<std::vector<SourceKey>> DemoSources() override;
  Result<int64_t> DeleteDemoData() override;

 private:
  SqliteStore(std::unique_ptr<sqlite::SqliteConnection> writer,
              std::unique_ptr<sqlite::SqliteConnection> reader);
  // One violation row, on the writer (its lock held): the new row's id; whether a row changed.
  Result<int64_t> InsertViolationRow(const ViolationRecord& violation);
  Result<bool> UpdateViolationRow(const ViolationRecord& violation);

  std::unique_ptr<sqlite::SqliteConnection> writer_;
  std::unique_ptr<sqlite::SqliteConnection> reader_;
};

}  // namespace llmscope::store
