#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <iterator>
#include <mutex>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "store/record_fields.h"
#include "store/sql_statements.h"
#include "store/store_errors.h"

namespace llmscope::store {
namespace {

using record_fields::BindDelivery;
using record_fields::BindSample;
using record_fields::BindSeries;
using record_fields::BindSilence;
using record_fields::BindSource;
using record_fields::BindStage;
using record_fields::BindViolation;
using record_fields::ReadDelivery;
using record_fields::ReadSample;
using record_fields::ReadSilence;
using record_fields::ReadSource;
using record_fields::ReadStage;
using record_fields::ReadViolation;

constexpr int kBusyTimeoutMs = 5000;
constexpr int64_t kJournalSizeLimitBytes = 64 << 20;

// kMigrations[i] takes a file from user_version i to i + 1. Append steps; never edit one that has
// been released. Enumerations are stored by name (MetricName, RuleName, ...), never as integers;
// a SourceKey is four NOT NULL text columns, "" for an absent site or profile. AUTOINCREMENT keeps
// ids from being reused after retention deleted the newest rows (ids drive paging and replay).
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE samples (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  e2e_ms REAL,
  ttft_ms REAL,
  tpot_ms REAL,
  tokens_per_s REAL,
  cost_usd REAL,
  error INTEGER NOT NULL,
  error_kind TEXT NOT NULL,
  error_message TEXT NOT NULL,
  total_duration_ms REAL,
  load_duration_ms REAL,
  prompt_eval_duration_ms REAL,
  eval_duration_ms REAL,
  prompt_eval_count INTEGER,
  eval_count INTEGER,
  tokens_in INTEGER,
  tokens_out INTEGER,
  cpu_percent REAL,
  memory_percent REAL,
  gpu_percent REAL,
  gpu_memory_percent REAL,
  gpu_temp_c REAL,
  prompt_hash TEXT NOT NULL,
  prompt_text TEXT
);
CREATE INDEX samples_by_source ON samples (provider, model, site, profile, id);
CREATE INDEX samples_by_time ON samples (time_ms);

CREATE TABLE stages (
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  metric TEXT NOT NULL,
  number INTEGER NOT NULL,
  start_index INTEGER NOT NULL,
  baseline_size INTEGER NOT NULL,
  transform TEXT NOT NULL,
  sigma_method TEXT NOT NULL,
  mean REAL NOT NULL,
  sigma REAL NOT NULL,
  frozen INTEGER NOT NULL,
  external_baseline INTEGER NOT NULL,
  start_sample_id INTEGER NOT NULL,
  start_time_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (provider, model, site, profile, metric, number)
) WITHOUT ROWID;

CREATE TABLE violations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  metric TEXT NOT NULL,
  rule TEXT NOT NULL,
  phase TEXT NOT NULL,
  stage INTEGER NOT NULL,
  first_index INTEGER NOT NULL,
  last_index INTEGER NOT NULL,
  count INTEGER NOT NULL,
  first_time_ms INTEGER NOT NULL,
  last_time_ms INTEGER NOT NULL,
  value REAL NOT NULL,
  worst_value REAL NOT NULL,
  deviation REAL,
  mean REAL NOT NULL,
  sigma REAL NOT NULL,
  center REAL NOT NULL,
  ucl REAL NOT NULL,
  lcl REAL NOT NULL,
  upper_2s REAL NOT NULL,
  lower_2s REAL NOT NULL,
  upper_1s REAL NOT NULL,
  lower_1s REAL NOT NULL,
  context_json TEXT NOT NULL,
  status TEXT NOT NULL,
  status_by TEXT NOT NULL,
  status_time_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX violations_by_series ON violations (provider, model, site, profile, metric, id);
CREATE INDEX violations_by_status ON violations (status, id);
)sql",
    // 2: the alert outbox and silences (src/alert).
    R"sql(
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  violation_id INTEGER NOT NULL,
  sink TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  claimed_by TEXT NOT NULL,
  claimed_until_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  delivered_ms INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_ms, id);
CREATE INDEX deliveries_by_violation ON deliveries (violation_id, id);

CREATE TABLE silences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  metric TEXT NOT NULL,
  rule TEXT NOT NULL,
  starts_ms INTEGER NOT NULL,
  ends_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX silences_by_end ON silences (ends_ms);
)sql",
    // 3: the sender's idempotency key of a sample (Sample::ingest_key), unique where present.
    R"sql(
ALTER TABLE samples ADD COLUMN ingest_key TEXT;
CREATE UNIQUE INDEX samples_by_ingest_key ON samples (ingest_key) WHERE ingest_key IS NOT NULL;
)sql",
};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion,
              "kSchemaVersion is the number of migration steps");

// What SQLite spells its own way in the shared statements (sql_statements.h).
constexpr std::string_view kDeliveryKeyColumn = "key";
// time_ms ≥ since: every row of the window has an id at least the least id in it. With that bound
// the id-ordered scan starts at the window instead of at the oldest row; the bound comes from
// samples_by_time alone (it holds the ids), reading only the window's entries.
constexpr std::string_view kSampleTimeFrom =
    "time_ms >= ? AND id >= "
    "(SELECT min(id) FROM samples INDEXED BY samples_by_time WHERE time_ms >= ?)";
// {"telemetry": …} of a violation's context, with SQLite's JSON functions.
constexpr std::string_view kContextTelemetry =
    "CASE WHEN json_valid(context_json) THEN json_object('telemetry', "
    "json_extract(context_json, '$.telemetry')) ELSE '' END AS context_json";
constexpr std::string_view kViolationGone = "violation_id NOT IN (SELECT id FROM violations)";

// A cached prepared statement for the duration of one use: reset and unbound on destruction, so
// the next user starts clean and a read statement releases its snapshot.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  ~Statement() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  sqlite3_stmt* get() const { return stmt_; }
  int Step() { return sqlite3_step(stmt_); }
  // Makes the statement ready to be bound and stepped again.
  void Reset() { sqlite3_reset(stmt_); }

 private:
  sqlite3_stmt* stmt_;
};

// Binds parameters 1, 2, ... in call order and keeps the first failure.
class Binder {
 public:
  explicit Binder(sqlite3_stmt* stmt) : stmt_(stmt) {}

  Binder& Int(int64_t v) { return Check(sqlite3_bind_int64(stmt_, next_++, v)); }
  Binder& Bool(bool v) { return Int(v ? 1 : 0); }
  Binder& Double(double v) { return Check(sqlite3_bind_double(stmt_, next_++, v)); }
  Binder& Text(std::string_view v) {
    // A null pointer would bind NULL: an empty string is bound from "".
    return Check(sqlite3_bind_text64(stmt_, next_++, v.empty() ? "" : v.data(), v.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  Binder& Null() { return Check(sqlite3_bind_null(stmt_, next_++)); }
  Binder& OptDouble(const std::optional<double>& v) { return v ? Double(*v) : Null(); }
  Binder& OptInt(const std::optional<int64_t>& v) { return v ? Int(*v) : Null(); }
  Binder& OptText(const std::optional<std::string>& v) { return v ? Text(*v) : Null(); }

  // "storage_error" naming `what` when a bind failed.
  Status Done(std::string_view what) const {
    if (rc_ == SQLITE_OK) return {};
    return StorageError(std::string(what) + ": bind: " + sqlite3_errstr(rc_));
  }

 private:
  Binder& Check(int rc) {
    if (rc_ == SQLITE_OK) rc_ = rc;
    return *this;
  }

  sqlite3_stmt* stmt_;
  int next_ = 1;
  int rc_ = SQLITE_OK;
};

// One connection and its statement cache. Not thread-safe by itself: whoever uses it holds `mu`.
class Db {
 public:
  explicit Db(sqlite3* handle) : handle_(handle) {}
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(handle_);
  }

  std::mutex mu;

  sqlite3* handle() const { return handle_; }

  // "storage_error": `what` and SQLite's message for the last failure on this connection.
  Error Fail(std::string_view what) const {
    return StorageError(std::string(what) + ": " + sqlite3_errmsg(handle_));
  }

  // The cached statement for `sql`, prepared on first use. `sql` is fixed text: every value is a
  // ? parameter, bound by the caller.
  Result<Statement> Prepare(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v3(handle_, sql.c_str(), static_cast<int>(sql.size() + 1),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        return Fail("prepare");
      }
      it = statements_.emplace(sql, stmt).first;
    }
    return Statement(it->second);
  }

  // Runs a statement that takes no parameters, stepping through any rows it returns.
  Status Run(const std::string& sql) {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt) return stmt.error();
    int rc;
    while ((rc = stmt->Step()) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Fail(sql);
    return {};
  }

  // The first column of the first row of a parameterless statement (a PRAGMA), as text.
  Result<std::string> QueryText(const std::string& sql) {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt) return stmt.error();
    if (stmt->Step() != SQLITE_ROW) return Fail(sql);
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt->get(), 0));
    return std::string(text == nullptr ? "" : text);
  }

  // The first column of the first row of `sql` as an integer, with `text` bound to its one
  // parameter when given; nullopt for NULL.
  Result<std::optional<int64_t>> QueryOptInt(const std::string& sql,
                                             std::optional<std::string_view> text = std::nullopt) {
    Result<Statement> stmt = Prepare(sql);
    if (!stmt) return stmt.error();
    Binder b(stmt->get());
    if (text) b.Text(*text);
    if (Status s = b.Done(sql); !s) return s.error();
    if (stmt->Step() != SQLITE_ROW) return Fail(sql);
    if (sqlite3_column_type(stmt->get(), 0) == SQLITE_NULL) return std::optional<int64_t>();
    return std::optional<int64_t>(sqlite3_column_int64(stmt->get(), 0));
  }
  Result<int64_t> QueryInt(const std::string& sql) {
    Result<std::optional<int64_t>> value = QueryOptInt(sql);
    if (!value) return value.error();
    return value->value_or(0);
  }

  // Runs a script of statements without parameters (migrations).
  Status Exec(const char* script, std::string_view what) {
    if (sqlite3_exec(handle_, script, nullptr, nullptr, nullptr) != SQLITE_OK) return Fail(what);
    return {};
  }

 private:
  sqlite3* handle_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// A transaction on a Db whose mutex the caller holds. Rolled back on destruction unless Commit()
// succeeded; declare it before the Statements used inside it, so they are reset first.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (open_ && !sqlite3_get_autocommit(db_.handle())) (void)db_.Run("ROLLBACK");
  }

  // BEGIN IMMEDIATE takes the write lock at once (waiting up to the busy timeout), so a write
  // transaction never fails halfway for want of it. BEGIN (deferred) starts a read snapshot.
  Status Begin(bool immediate) {
    Status s = db_.Run(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
    open_ = s.ok();
    return s;
  }

  Status Commit() {
    Status s = db_.Run("COMMIT");
    if (s) open_ = false;
    return s;
  }

 private:
  Db& db_;
  bool open_ = false;
};

// Reads the columns of the current row 0, 1, ... in call order. A malformed value (a corrupt or
// foreign row) is remembered in error().
class Columns {
 public:
  explicit Columns(sqlite3_stmt* stmt) : stmt_(stmt) {}

  int64_t Int() { return sqlite3_column_int64(stmt_, next_++); }
  int Int32() { return sqlite3_column_int(stmt_, next_++); }
  bool Bool() { return Int() != 0; }
  double Double() { return sqlite3_column_double(stmt_, next_++); }
  std::string Text() {
    int i = next_++;
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    if (text == nullptr) return std::string();
    return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
  }
  std::optional<double> OptDouble() {
    if (NextIsNull()) return std::nullopt;
    return Double();
  }
  std::optional<int64_t> OptInt() {
    if (NextIsNull()) return std::nullopt;
    return Int();
  }
  std::optional<std::string> OptText() {
    if (NextIsNull()) return std::nullopt;
    return Text();
  }
  // Records `message` as the row's error, unless it has one already.
  void Fail(std::string message) {
    if (!error_) error_ = StorageError(std::move(message));
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  // True (and the column skipped) when the next column is NULL.
  bool NextIsNull() {
    if (sqlite3_column_type(stmt_, next_) != SQLITE_NULL) return false;
    ++next_;
    return true;
  }

  sqlite3_stmt* stmt_;
  int next_ = 0;
  std::optional<Error> error_;
};

// Steps `stmt` to the end, reading each row with `read`; the rows, or the first failure.
template <typename T, typename Read>
Result<std::vector<T>> ReadAll(Db& db, Statement& stmt, Read read, std::string_view what) {
  std::vector<T> rows;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    Columns c(stmt.get());
    rows.push_back(read(c));
    if (c.error()) return *c.error();
  }
  if (rc != SQLITE_DONE) return db.Fail(what);
  return rows;
}

Result<sqlite3*> OpenHandle(const std::string& path, int flags) {
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message =
        "open " + path + ": " + (handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
    sqlite3_close_v2(handle);
    return StorageError(std::move(message));
  }
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  return handle;
}

Status ConfigureWriter(Db& db) {
  Result<std::string> mode = db.QueryText("PRAGMA journal_mode = WAL");
  if (!mode) return mode.error();
  if (*mode != "wal") return StorageError("cannot enable WAL mode (journal_mode is " + *mode + ")");
  const std::string pragmas[] = {
      "PRAGMA synchronous = NORMAL",
      "PRAGMA foreign_keys = ON",
      // The size the WAL file is truncated to after a checkpoint.
      "PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimitBytes),
  };
  for (const std::string& pragma : pragmas) {
    if (Status s = db.Run(pragma); !s) return s;
  }
  return {};
}

// Applies the pending migration steps in one write transaction, so that two processes opening a
// new file at once migrate it once.
Status Migrate(Db& db) {
  Transaction txn(db);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s;
  Result<int64_t> version_or = db.QueryInt("PRAGMA user_version");
  if (!version_or) return version_or.error();
  const int64_t version = *version_or;
  if (version < 0) {
    return StorageError("database schema version " + std::to_string(version) +
                        " is not llmscope's");
  }
  if (version > SqliteStore::kSchemaVersion) {
    return StorageError("database schema version " + std::to_string(version) +
                        " is newer than this build's (" +
                        std::to_string(SqliteStore::kSchemaVersion) + "): upgrade llmscope");
  }
  if (version == SqliteStore::kSchemaVersion) return txn.Commit();
  for (int64_t v = version; v < SqliteStore::kSchemaVersion; ++v) {
    if (Status s = db.Exec(kMigrations[v], "migration to version " + std::to_string(v + 1)); !s) {
      return s;
    }
  }
  // PRAGMA takes no parameters; the version is this code's constant.
  if (Status s = db.Run("PRAGMA user_version = " + std::to_string(SqliteStore::kSchemaVersion));
      !s) {
    return s;
  }
  return txn.Commit();
}

}  // namespace

class SqliteStore::Connection : public Db {
 public:
  using Db::Db;
};

SqliteStore::SqliteStore(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> reader)
    : writer_(std::move(writer)), reader_(std::move(reader)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  if (path.empty() || path == ":memory:") {
    return StorageError("SQLite store needs a file path, got '" + path + "'");
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return StorageError("create directory " + parent.string() + ": " + ec.message());
  }

  Result<sqlite3*> write_handle = OpenHandle(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!write_handle) return write_handle.error();
  auto writer = std::make_unique<Connection>(*write_handle);
  if (Status s = ConfigureWriter(*writer); !s) return s.error();
  if (Status s = Migrate(*writer); !s) return s.error();

  Result<sqlite3*> read_handle = OpenHandle(path, SQLITE_OPEN_READWRITE);
  if (!read_handle) return read_handle.error();
  auto reader = std::make_unique<Connection>(*read_handle);
  if (Status s = reader->Run("PRAGMA query_only = ON"); !s) return s.error();

  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(writer), std::move(reader)));
}

Result<AppendResult> SqliteStore::AppendSamples(std::vector<Sample>& samples) {
  AppendResult result;
  result.duplicate.assign(samples.size(), false);
  if (samples.empty()) return result;
  std::lock_guard lock(writer_->mu);
  Transaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  Result<Statement> insert = writer_->Prepare(sql::InsertSample());
  if (!insert) return insert.error();
  std::vector<int64_t> ids;
  ids.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    Binder b(insert->get());
    BindSample(b, samples[i]);
    if (Status s = b.Done("AppendSamples"); !s) return s.error();
    if (insert->Step() != SQLITE_DONE) return writer_->Fail("AppendSamples");
    insert->Reset();
    if (sqlite3_changes(writer_->handle()) == 1) {
      ids.push_back(sqlite3_last_insert_rowid(writer_->handle()));
      continue;
    }
    // The key is stored already (the only conflict the insert ignores): that sample's id.
    Result<std::optional<int64_t>> stored =
        writer_->QueryOptInt(sql::SelectSampleIdOfKey(), samples[i].ingest_key.value_or(""));
    if (!stored) return stored.error();
    if (!stored->has_value()) return StorageError("AppendSamples: a stored key without an id");
    ids.push_back(**stored);
    result.duplicate[i] = true;
    ++result.duplicates;
  }
  if (Status s = txn.Commit(); !s) return s.error();
  for (size_t i = 0; i < samples.size(); ++i) samples[i].id = ids[i];
  return result;
}

Result<std::vector<Sample>> SqliteStore::QuerySamples(const SampleQuery& q) {
  if (q.limit <= 0) return std::vector<Sample>();
  const sql::BoundStatement select = sql::SelectSamples(q, kSampleTimeFrom);
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(select.sql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  sql::BindValues(b, select);
  if (Status s = b.Done("QuerySamples"); !s) return s.error();
  return ReadAll<Sample>(*reader_, *stmt, ReadSample<Columns>, "QuerySamples");
}

Result<std::vector<SourceKey>> SqliteStore::ListSources() {
  // A skip scan of samples_by_source: one index seek per source, not one step per sample.
  static const std::string kFirst =
      "SELECT provider, model, site, profile FROM samples "
      "ORDER BY provider, model, site, profile LIMIT 1";
  static const std::string kNext =
      "SELECT provider, model, site, profile FROM samples "
      "WHERE (provider, model, site, profile) > (?, ?, ?, ?) "
      "ORDER BY provider, model, site, profile LIMIT 1";
  std::lock_guard lock(reader_->mu);
  Transaction snapshot(*reader_);
  if (Status s = snapshot.Begin(/*immediate=*/false); !s) return s.error();
  std::vector<SourceKey> sources;
  while (true) {
    Result<Statement> stmt = reader_->Prepare(sources.empty() ? kFirst : kNext);
    if (!stmt) return stmt.error();
    if (!sources.empty()) {
      Binder b(stmt->get());
      BindSource(b, sources.back());
      if (Status s = b.Done("ListSources"); !s) return s.error();
    }
    int rc = stmt->Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return reader_->Fail("ListSources");
    Columns c(stmt->get());
    sources.push_back(ReadSource(c));
  }
  return sources;
}

Result<StoreStats> SqliteStore::Stats() {
  std::lock_guard lock(reader_->mu);
  Transaction snapshot(*reader_);
  if (Status s = snapshot.Begin(/*immediate=*/false); !s) return s.error();
  // min() and max() in queries of their own, so that each is one seek in samples_by_time.
  Result<std::optional<int64_t>> samples = reader_->QueryOptInt("SELECT count(*) FROM samples");
  if (!samples) return samples.error();
  Result<std::optional<int64_t>> first = reader_->QueryOptInt("SELECT min(time_ms) FROM samples");
  if (!first) return first.error();
  Result<std::optional<int64_t>> last = reader_->QueryOptInt("SELECT max(time_ms) FROM samples");
  if (!last) return last.error();
  Result<std::optional<int64_t>> violations =
      reader_->QueryOptInt("SELECT count(*) FROM violations");
  if (!violations) return violations.error();
  Result<std::optional<int64_t>> open =
      reader_->QueryOptInt("SELECT count(*) FROM violations WHERE status = ?",
                           ViolationStatusName(ViolationStatus::kOpen));
  if (!open) return open.error();
  StoreStats stats;
  stats.samples = samples->value_or(0);
  stats.violations = violations->value_or(0);
  stats.open_violations = open->value_or(0);
  stats.first_time_ms = *first;
  stats.last_time_ms = *last;
  return stats;
}

Status SqliteStore::SaveStage(const StageRecord& stage) {
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(sql::UpsertStage());
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  BindStage(b, stage);
  if (Status s = b.Done("SaveStage"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("SaveStage");
  return {};
}

Result<std::vector<StageRecord>> SqliteStore::LoadStages(const SeriesKey& series) {
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(sql::SelectStagesOfSeries());
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  BindSeries(b, series);
  if (Status s = b.Done("LoadStages"); !s) return s.error();
  return ReadAll<StageRecord>(*reader_, *stmt, ReadStage<Columns>, "LoadStages");
}

Result<std::vector<StageRecord>> SqliteStore::LoadLatestStages() {
  static const std::string kSql =
      "SELECT " + std::string(sql::kStageColumns) +
      " FROM stages AS s WHERE number = (SELECT max(number) FROM stages AS t"
      " WHERE t.provider = s.provider AND t.model = s.model AND t.site = s.site"
      " AND t.profile = s.profile AND t.metric = s.metric)"
      " ORDER BY provider, model, site, profile, metric";
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(kSql);
  if (!stmt) return stmt.error();
  return ReadAll<StageRecord>(*reader_, *stmt, ReadStage<Columns>, "LoadLatestStages");
}

Status SqliteStore::InsertViolation(ViolationRecord& violation) {
  static const std::string kSql = sql::InsertInto("violations", sql::kViolationColumns);
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(kSql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  BindViolation(b, violation);
  if (Status s = b.Done("InsertViolation"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("InsertViolation");
  violation.id = sqlite3_last_insert_rowid(writer_->handle());
  return {};
}

Status SqliteStore::UpdateViolationExtent(const ViolationRecord& v) {
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(sql::UpdateViolationExtent());
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  sql::BindViolationExtent(b, v);
  if (Status s = b.Done("UpdateViolationExtent"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("UpdateViolationExtent");
  if (sqlite3_changes64(writer_->handle()) == 0) return NotFound("violation", v.id);
  return {};
}

Status SqliteStore::SetViolationStatus(int64_t id, ViolationStatus status, const std::string& by,
                                       int64_t time_ms) {
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(sql::UpdateViolationStatus());
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  b.Text(ViolationStatusName(status)).Text(by).Int(time_ms).Int(id);
  if (Status s = b.Done("SetViolationStatus"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("SetViolationStatus");
  if (sqlite3_changes64(writer_->handle()) == 0) return NotFound("violation", id);
  return {};
}

Result<std::optional<ViolationRecord>> SqliteStore::GetViolation(int64_t id) {
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(sql::SelectViolationById());
  if (!stmt) return stmt.error();
  if (Status s = Binder(stmt->get()).Int(id).Done("GetViolation"); !s) return s.error();
  Result<std::vector<ViolationRecord>> rows =
      ReadAll<ViolationRecord>(*reader_, *stmt, ReadViolation<Columns>, "GetViolation");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ViolationRecord>();
  return std::optional<ViolationRecord>(std::move(rows->front()));
}

Result<std::vector<ViolationRecord>> SqliteStore::QueryViolations(const ViolationQuery& q) {
  if (q.limit <= 0) return std::vector<ViolationRecord>();
  const sql::BoundStatement select = sql::SelectViolations(q, kContextTelemetry);
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(select.sql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  sql::BindValues(b, select);
  if (Status s = b.Done("QueryViolations"); !s) return s.error();
  return ReadAll<ViolationRecord>(*reader_, *stmt, ReadViolation<Columns>, "QueryViolations");
}

Result<int64_t> SqliteStore::DeleteOlderThan(int64_t cutoff_ms) {
  std::lock_guard lock(writer_->mu);
  Transaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  int64_t deleted = 0;
  for (const sql::BoundStatement& step : sql::RetentionDeletes(cutoff_ms, kViolationGone)) {
    Result<Statement> stmt = writer_->Prepare(step.sql);
    if (!stmt) return stmt.error();
    Binder b(stmt->get());
    sql::BindValues(b, step);
    if (Status s = b.Done("DeleteOlderThan"); !s) return s.error();
    if (stmt->Step() != SQLITE_DONE) return writer_->Fail("DeleteOlderThan: " + step.sql);
    deleted += sqlite3_changes64(writer_->handle());
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return deleted;
}

Result<bool> SqliteStore::EnqueueDelivery(DeliveryRecord& d) {
  static const std::string kSql = sql::InsertDelivery(kDeliveryKeyColumn);
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(kSql);
  if (!stmt) return stmt.error();
  DeliveryRecord row = record_fields::NewDeliveryRow(d);
  Binder b(stmt->get());
  BindDelivery(b, row);
  if (Status s = b.Done("EnqueueDelivery"); !s) return s.error();
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("EnqueueDelivery");
  if (sqlite3_changes64(writer_->handle()) == 0) return false;
  row.id = sqlite3_last_insert_rowid(writer_->handle());
  d = std::move(row);
  return true;
}

Result<std::vector<DeliveryRecord>> SqliteStore::ClaimDueDeliveries(const std::string& owner,
                                                                    int64_t now_ms,
                                                                    int64_t lease_ms, int limit) {
  if (limit <= 0) return std::vector<DeliveryRecord>();
  // One writer connection under its mutex, in one IMMEDIATE transaction: no other thread or
  // process can claim between the UPDATE and its RETURNING rows.
  static const std::string kSql =
      "UPDATE deliveries SET claimed_by = ?, claimed_until_ms = ? WHERE id IN "
      "(SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_ms <= ? "
      "AND claimed_until_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?) RETURNING id, " +
      sql::DeliveryColumns(kDeliveryKeyColumn);
  std::lock_guard lock(writer_->mu);
  Transaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  Result<std::vector<DeliveryRecord>> rows = [&]() -> Result<std::vector<DeliveryRecord>> {
    Result<Statement> stmt = writer_->Prepare(kSql);
    if (!stmt) return stmt.error();
    Binder b(stmt->get());
    b.Text(owner).Int(now_ms + lease_ms).Int(now_ms).Int(now_ms).Int(limit);
    if (Status s = b.Done("ClaimDueDeliveries"); !s) return s.error();
    return ReadAll<DeliveryRecord>(*writer_, *stmt, ReadDelivery<Columns>, "ClaimDueDeliveries");
  }();
  if (!rows) return rows.error();
  if (Status s = txn.Commit(); !s) return s.error();
  sql::SortClaimed(*rows);
  return rows;
}

Status SqliteStore::FinishDelivery(const DeliveryRecord& d, const std::string& owner) {
  std::lock_guard lock(writer_->mu);
  {
    Result<Statement> stmt = writer_->Prepare(sql::UpdateDeliveryOutcome());
    if (!stmt) return stmt.error();
    Binder b(stmt->get());
    sql::BindDeliveryOutcome(b, d, owner);
    if (Status s = b.Done("FinishDelivery"); !s) return s;
    if (stmt->Step() != SQLITE_DONE) return writer_->Fail("FinishDelivery");
    if (sqlite3_changes64(writer_->handle()) > 0) return {};
  }
  Result<Statement> stmt = writer_->Prepare(sql::CountDeliveriesWithId());
  if (!stmt) return stmt.error();
  if (Status s = Binder(stmt->get()).Int(d.id).Done("FinishDelivery"); !s) return s;
  if (stmt->Step() != SQLITE_ROW) return writer_->Fail("FinishDelivery");
  if (sqlite3_column_int64(stmt->get(), 0) == 0) return NotFound("delivery", d.id);
  return DeliveryNotHeld(d.id, owner);
}

Result<std::vector<DeliveryRecord>> SqliteStore::DeliveriesOfViolation(int64_t violation_id) {
  static const std::string kSql = sql::SelectDeliveriesOfViolation(kDeliveryKeyColumn);
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(kSql);
  if (!stmt) return stmt.error();
  if (Status s = Binder(stmt->get()).Int(violation_id).Done("DeliveriesOfViolation"); !s) {
    return s.error();
  }
  return ReadAll<DeliveryRecord>(*reader_, *stmt, ReadDelivery<Columns>, "DeliveriesOfViolation");
}

Status SqliteStore::InsertSilence(SilenceRecord& r) {
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(sql::InsertSilence());
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  BindSilence(b, r);
  if (Status s = b.Done("InsertSilence"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("InsertSilence");
  r.id = sqlite3_last_insert_rowid(writer_->handle());
  return {};
}

Result<std::vector<SilenceRecord>> SqliteStore::ActiveSilences(int64_t now_ms) {
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(sql::SelectSilencesEndingAfter());
  if (!stmt) return stmt.error();
  if (Status s = Binder(stmt->get()).Int(now_ms).Done("ActiveSilences"); !s) return s.error();
  return ReadAll<SilenceRecord>(*reader_, *stmt, ReadSilence<Columns>, "ActiveSilences");
}

Status SqliteStore::ExpireSilence(int64_t id, int64_t now_ms) {
  static const std::string kUpdate = "UPDATE silences SET ends_ms = min(ends_ms, ?) WHERE id = ?";
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(kUpdate);
  if (!stmt) return stmt.error();
  if (Status s = Binder(stmt->get()).Int(now_ms).Int(id).Done("ExpireSilence"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("ExpireSilence");
  if (sqlite3_changes64(writer_->handle()) == 0) return NotFound("silence", id);
  return {};
}

}  // namespace llmscope::store
