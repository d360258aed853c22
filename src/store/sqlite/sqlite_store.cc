#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "spc/baseline.h"
#include "spc/firing.h"
#include "spc/rule.h"
#include "spc/stage.h"
#include "spc/transform.h"
#include "store/record_fields.h"
#include "store/sql_conditions.h"

namespace llmscope::store {
namespace {

using record_fields::BindSample;
using record_fields::BindStage;
using record_fields::BindViolation;
using record_fields::ReadDelivery;
using record_fields::ReadSample;
using record_fields::ReadSilence;
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

// Column lists, in the order BindSample/ReadSample (and the stage and violation pairs) use.
constexpr const char* kSampleColumns =
    "id, time_ms, provider, model, site, profile, e2e_ms, ttft_ms, tpot_ms, tokens_per_s, "
    "cost_usd, error, error_kind, error_message, total_duration_ms, load_duration_ms, "
    "prompt_eval_duration_ms, eval_duration_ms, prompt_eval_count, eval_count, tokens_in, "
    "tokens_out, cpu_percent, memory_percent, gpu_percent, gpu_memory_percent, gpu_temp_c, "
    "prompt_hash, prompt_text, ingest_key";
// A sample whose ingest key is stored already inserts nothing (no row changes).
constexpr const char* kInsertSample =
    "INSERT INTO samples (time_ms, provider, model, site, profile, e2e_ms, ttft_ms, tpot_ms, "
    "tokens_per_s, cost_usd, error, error_kind, error_message, total_duration_ms, "
    "load_duration_ms, prompt_eval_duration_ms, eval_duration_ms, prompt_eval_count, eval_count, "
    "tokens_in, tokens_out, cpu_percent, memory_percent, gpu_percent, gpu_memory_percent, "
    "gpu_temp_c, prompt_hash, prompt_text, ingest_key) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?) ON CONFLICT (ingest_key) WHERE ingest_key IS NOT NULL DO NOTHING";
constexpr const char* kSampleIdOfKey = "SELECT id FROM samples WHERE ingest_key = ?";

constexpr const char* kStageColumns =
    "provider, model, site, profile, metric, number, start_index, baseline_size, transform, "
    "sigma_method, mean, sigma, frozen, external_baseline, start_sample_id, start_time_ms, "
    "created_ms";
constexpr const char* kUpsertStage =
    "INSERT INTO stages (provider, model, site, profile, metric, number, start_index, "
    "baseline_size, transform, sigma_method, mean, sigma, frozen, external_baseline, "
    "start_sample_id, start_time_ms, created_ms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (provider, model, site, profile, metric, number) DO UPDATE SET "
    "start_index = excluded.start_index, baseline_size = excluded.baseline_size, "
    "transform = excluded.transform, sigma_method = excluded.sigma_method, "
    "mean = excluded.mean, sigma = excluded.sigma, frozen = excluded.frozen, "
    "external_baseline = excluded.external_baseline, "
    "start_sample_id = excluded.start_sample_id, start_time_ms = excluded.start_time_ms, "
    "created_ms = excluded.created_ms";

constexpr const char* kViolationColumns =
    "id, provider, model, site, profile, metric, rule, phase, stage, first_index, last_index, "
    "count, first_time_ms, last_time_ms, value, worst_value, deviation, mean, sigma, center, ucl, "
    "lcl, upper_2s, lower_2s, upper_1s, lower_1s, context_json, status, status_by, "
    "status_time_ms, created_ms";
// {"telemetry": …} of a violation's context, with SQLite's JSON functions.
constexpr const char* kContextTelemetry =
    "CASE WHEN json_valid(context_json) THEN json_object('telemetry', "
    "json_extract(context_json, '$.telemetry')) ELSE '' END AS context_json";

constexpr const char* kInsertViolation =
    "INSERT INTO violations (provider, model, site, profile, metric, rule, phase, stage, "
    "first_index, last_index, count, first_time_ms, last_time_ms, value, worst_value, deviation, "
    "mean, sigma, center, ucl, lcl, upper_2s, lower_2s, upper_1s, lower_1s, context_json, status, "
    "status_by, status_time_ms, created_ms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?)";

constexpr const char* kDeliveryColumns =
    "id, key, violation_id, sink, kind, payload_json, state, attempts, next_attempt_ms, "
    "last_error, claimed_by, claimed_until_ms, created_ms, updated_ms, delivered_ms";
constexpr const char* kSilenceColumns =
    "id, provider, model, metric, rule, starts_ms, ends_ms, created_by, comment, created_ms";

Error StorageError(std::string message) {
  return Error{"storage_error", std::move(message)};
}

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
  Binder& Source(const SourceKey& k) {
    return Text(k.provider).Text(k.model).Text(k.site).Text(k.profile);
  }
  Binder& Series(const SeriesKey& k) { return Source(k.source).Text(MetricName(k.metric)); }

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

// Reads the columns of the current row 0, 1, ... in call order. A name that does not parse
// (a corrupt or foreign row) is remembered in error().
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
  SourceKey Source() {
    SourceKey k;
    k.provider = Text();
    k.model = Text();
    k.site = Text();
    k.profile = Text();
    return k;
  }
  // The enumerator named by a text column, through its Parse function.
  template <typename Parse>
  auto Name(Parse parse, std::string_view column) {
    std::string text = Text();
    auto parsed = parse(text);
    if (!parsed && !error_) {
      error_ = StorageError("corrupt row: " + std::string(column) + " is '" + text + "'");
    }
    return parsed.value_or(typename decltype(parsed)::value_type{});
  }
  SeriesKey Series() {
    SeriesKey k;
    k.source = Source();
    k.metric = Name(ParseMetric, "metric");
    return k;
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
  Result<Statement> insert = writer_->Prepare(kInsertSample);
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
        writer_->QueryOptInt(kSampleIdOfKey, samples[i].ingest_key.value_or(""));
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
  // The SQL text depends only on which filters are set, so each shape is prepared once.
  std::string sql = std::string("SELECT ") + kSampleColumns + " FROM samples";
  SqlConditions where(sql);
  if (q.source) {
    where.Add("provider = ? AND model = ? AND site = ? AND profile = ?");
  } else {
    if (q.provider) where.Add("provider = ?");
    if (q.model) where.Add("model = ?");
  }
  if (q.since_ms != INT64_MIN) {
    // Every row of the window has an id at least the least id in it. With that bound the
    // id-ordered scan starts at the window instead of at the oldest row; the bound comes from
    // samples_by_time alone (it holds the ids), reading only the window's entries.
    where.Add(
        "time_ms >= ? AND id >= "
        "(SELECT min(id) FROM samples INDEXED BY samples_by_time WHERE time_ms >= ?)");
  }
  if (q.until_ms != INT64_MAX) where.Add("time_ms < ?");
  if (q.after_id != 0) where.Add(q.newest_first ? "id < ?" : "id > ?");
  sql += q.newest_first ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?";

  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(sql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  if (q.source) {
    b.Source(*q.source);
  } else {
    if (q.provider) b.Text(*q.provider);
    if (q.model) b.Text(*q.model);
  }
  if (q.since_ms != INT64_MIN) b.Int(q.since_ms).Int(q.since_ms);
  if (q.until_ms != INT64_MAX) b.Int(q.until_ms);
  if (q.after_id != 0) b.Int(q.after_id);
  b.Int(q.limit);
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
      if (Status s = Binder(stmt->get()).Source(sources.back()).Done("ListSources"); !s) {
        return s.error();
      }
    }
    int rc = stmt->Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return reader_->Fail("ListSources");
    Columns c(stmt->get());
    sources.push_back(c.Source());
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
  Result<Statement> stmt = writer_->Prepare(kUpsertStage);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  BindStage(b, stage);
  if (Status s = b.Done("SaveStage"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("SaveStage");
  return {};
}

Result<std::vector<StageRecord>> SqliteStore::LoadStages(const SeriesKey& series) {
  static const std::string kSql =
      std::string("SELECT ") + kStageColumns +
      " FROM stages WHERE provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ?"
      " ORDER BY number";
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(kSql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  b.Series(series);
  if (Status s = b.Done("LoadStages"); !s) return s.error();
  return ReadAll<StageRecord>(*reader_, *stmt, ReadStage<Columns>, "LoadStages");
}

Result<std::vector<StageRecord>> SqliteStore::LoadLatestStages() {
  static const std::string kSql =
      std::string("SELECT ") + kStageColumns +
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
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(kInsertViolation);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  BindViolation(b, violation);
  if (Status s = b.Done("InsertViolation"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("InsertViolation");
  violation.id = sqlite3_last_insert_rowid(writer_->handle());
  return {};
}

Status SqliteStore::UpdateViolationExtent(const ViolationRecord& v) {
  static const std::string kSql =
      "UPDATE violations SET last_index = ?, last_time_ms = ?, count = ?, worst_value = ?, "
      "deviation = ?, context_json = ? WHERE id = ?";
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(kSql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  b.Int(v.last_index).Int(v.last_time_ms).Int(v.count).Double(v.worst_value);
  b.OptDouble(v.deviation).Text(v.context_json).Int(v.id);
  if (Status s = b.Done("UpdateViolationExtent"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("UpdateViolationExtent");
  if (sqlite3_changes64(writer_->handle()) == 0) {
    return Error{"not_found", "violation " + std::to_string(v.id) + " not found"};
  }
  return {};
}

Status SqliteStore::SetViolationStatus(int64_t id, ViolationStatus status, const std::string& by,
                                       int64_t time_ms) {
  static const std::string kSql =
      "UPDATE violations SET status = ?, status_by = ?, status_time_ms = ? WHERE id = ?";
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(kSql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  b.Text(ViolationStatusName(status)).Text(by).Int(time_ms).Int(id);
  if (Status s = b.Done("SetViolationStatus"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("SetViolationStatus");
  if (sqlite3_changes64(writer_->handle()) == 0) {
    return Error{"not_found", "violation " + std::to_string(id) + " not found"};
  }
  return {};
}

Result<std::optional<ViolationRecord>> SqliteStore::GetViolation(int64_t id) {
  static const std::string kSql =
      std::string("SELECT ") + kViolationColumns + " FROM violations WHERE id = ?";
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(kSql);
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
  // Every filter that is set applies (they are ANDed); the SQL text depends only on which are.
  std::string sql = "SELECT " +
                    ViolationColumnList(kViolationColumns, q.context, kContextTelemetry) +
                    " FROM violations";
  SqlConditions where(sql);
  if (q.series) where.Add("provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ?");
  if (q.provider) where.Add("provider = ?");
  if (q.model) where.Add("model = ?");
  if (q.metric) where.Add("metric = ?");
  if (q.rule) where.Add("rule = ?");
  if (q.rules) where.Add(RuleListCondition(q.rules->size()));
  if (q.status) where.Add("status = ?");
  if (q.phase) where.Add("phase = ?");
  if (q.since_ms != INT64_MIN) where.Add("last_time_ms >= ?");
  if (q.until_ms != INT64_MAX) where.Add("first_time_ms < ?");
  sql += " ORDER BY id DESC LIMIT ?";

  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(sql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  if (q.series) b.Series(*q.series);
  if (q.provider) b.Text(*q.provider);
  if (q.model) b.Text(*q.model);
  if (q.metric) b.Text(MetricName(*q.metric));
  if (q.rule) b.Text(spc::RuleName(*q.rule));
  if (q.rules) {
    for (spc::Rule r : *q.rules) b.Text(spc::RuleName(r));
  }
  if (q.status) b.Text(ViolationStatusName(*q.status));
  if (q.phase) b.Text(spc::PhaseName(*q.phase));
  if (q.since_ms != INT64_MIN) b.Int(q.since_ms);
  if (q.until_ms != INT64_MAX) b.Int(q.until_ms);
  b.Int(q.limit);
  if (Status s = b.Done("QueryViolations"); !s) return s.error();
  return ReadAll<ViolationRecord>(*reader_, *stmt, ReadViolation<Columns>, "QueryViolations");
}

Result<int64_t> SqliteStore::DeleteOlderThan(int64_t cutoff_ms) {
  static const std::string kDeleteSamples = "DELETE FROM samples WHERE time_ms < ?";
  static const std::string kDeleteViolations =
      "DELETE FROM violations WHERE status <> ? AND last_time_ms < ?";
  std::lock_guard lock(writer_->mu);
  Transaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  int64_t deleted = 0;
  {
    Result<Statement> stmt = writer_->Prepare(kDeleteSamples);
    if (!stmt) return stmt.error();
    if (Status s = Binder(stmt->get()).Int(cutoff_ms).Done("DeleteOlderThan"); !s) {
      return s.error();
    }
    if (stmt->Step() != SQLITE_DONE) return writer_->Fail("DeleteOlderThan: samples");
    deleted += sqlite3_changes64(writer_->handle());
  }
  {
    Result<Statement> stmt = writer_->Prepare(kDeleteViolations);
    if (!stmt) return stmt.error();
    Binder b(stmt->get());
    b.Text(ViolationStatusName(ViolationStatus::kOpen)).Int(cutoff_ms);
    if (Status s = b.Done("DeleteOlderThan"); !s) return s.error();
    if (stmt->Step() != SQLITE_DONE) return writer_->Fail("DeleteOlderThan: violations");
    deleted += sqlite3_changes64(writer_->handle());
  }
  {
    // Deliveries whose violation is gone, test alerts older than the cutoff, ended silences.
    static const std::string kDeleteDeliveries =
        "DELETE FROM deliveries WHERE (violation_id <> 0 AND violation_id NOT IN "
        "(SELECT id FROM violations)) OR (violation_id = 0 AND created_ms < ?)";
    static const std::string kDeleteSilences = "DELETE FROM silences WHERE ends_ms < ?";
    for (const std::string* sql : {&kDeleteDeliveries, &kDeleteSilences}) {
      Result<Statement> stmt = writer_->Prepare(*sql);
      if (!stmt) return stmt.error();
      if (Status s = Binder(stmt->get()).Int(cutoff_ms).Done("DeleteOlderThan"); !s) {
        return s.error();
      }
      if (stmt->Step() != SQLITE_DONE) return writer_->Fail("DeleteOlderThan: " + *sql);
      deleted += sqlite3_changes64(writer_->handle());
    }
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return deleted;
}

Result<bool> SqliteStore::EnqueueDelivery(DeliveryRecord& d) {
  static const std::string kSql =
      "INSERT INTO deliveries (key, violation_id, sink, kind, payload_json, state, attempts, "
      "next_attempt_ms, last_error, claimed_by, claimed_until_ms, created_ms, updated_ms, "
      "delivered_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?, ?) "
      "ON CONFLICT (key) DO NOTHING";
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(kSql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  b.Text(d.key).Int(d.violation_id).Text(d.sink).Text(DeliveryKindName(d.kind));
  b.Text(d.payload_json).Text(DeliveryStateName(d.state)).Int(d.attempts);
  b.Int(d.next_attempt_ms).Text(d.last_error).Int(d.created_ms).Int(d.created_ms);
  b.Int(d.delivered_ms);
  if (Status s = b.Done("EnqueueDelivery"); !s) return s.error();
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("EnqueueDelivery");
  if (sqlite3_changes64(writer_->handle()) == 0) return false;
  d.id = sqlite3_last_insert_rowid(writer_->handle());
  d.updated_ms = d.created_ms;
  d.claimed_by.clear();
  d.claimed_until_ms = 0;
  return true;
}

Result<std::vector<DeliveryRecord>> SqliteStore::ClaimDueDeliveries(const std::string& owner,
                                                                    int64_t now_ms,
                                                                    int64_t lease_ms, int limit) {
  if (limit <= 0) return std::vector<DeliveryRecord>();
  // One writer connection under its mutex, in one IMMEDIATE transaction: no other thread or
  // process can claim between the UPDATE and its RETURNING rows.
  static const std::string kSql =
      std::string(
          "UPDATE deliveries SET claimed_by = ?, claimed_until_ms = ? WHERE id IN "
          "(SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_ms <= ? "
          "AND claimed_until_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?) RETURNING ") +
      kDeliveryColumns;
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
  // RETURNING gives rows in no promised order.
  std::sort(rows->begin(), rows->end(), [](const DeliveryRecord& a, const DeliveryRecord& b) {
    return std::tie(a.next_attempt_ms, a.id) < std::tie(b.next_attempt_ms, b.id);
  });
  return rows;
}

Status SqliteStore::FinishDelivery(const DeliveryRecord& d, const std::string& owner) {
  static const std::string kUpdate =
      "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_ms = ?, last_error = ?, "
      "delivered_ms = ?, updated_ms = ?, claimed_by = '', claimed_until_ms = 0 "
      "WHERE id = ? AND claimed_by = ? AND claimed_by <> ''";
  static const std::string kExists = "SELECT count(*) FROM deliveries WHERE id = ?";
  std::lock_guard lock(writer_->mu);
  {
    Result<Statement> stmt = writer_->Prepare(kUpdate);
    if (!stmt) return stmt.error();
    Binder b(stmt->get());
    b.Text(DeliveryStateName(d.state)).Int(d.attempts).Int(d.next_attempt_ms).Text(d.last_error);
    b.Int(d.delivered_ms).Int(d.updated_ms).Int(d.id).Text(owner);
    if (Status s = b.Done("FinishDelivery"); !s) return s;
    if (stmt->Step() != SQLITE_DONE) return writer_->Fail("FinishDelivery");
    if (sqlite3_changes64(writer_->handle()) > 0) return {};
  }
  Result<Statement> stmt = writer_->Prepare(kExists);
  if (!stmt) return stmt.error();
  if (Status s = Binder(stmt->get()).Int(d.id).Done("FinishDelivery"); !s) return s;
  if (stmt->Step() != SQLITE_ROW) return writer_->Fail("FinishDelivery");
  if (sqlite3_column_int64(stmt->get(), 0) == 0) {
    return Error{"not_found", "delivery " + std::to_string(d.id) + " not found"};
  }
  return Error{"conflict", "delivery " + std::to_string(d.id) + " is not held by " + owner};
}

Result<std::vector<DeliveryRecord>> SqliteStore::DeliveriesOfViolation(int64_t violation_id) {
  static const std::string kSql = std::string("SELECT ") + kDeliveryColumns +
                                  " FROM deliveries WHERE violation_id = ? ORDER BY id";
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(kSql);
  if (!stmt) return stmt.error();
  if (Status s = Binder(stmt->get()).Int(violation_id).Done("DeliveriesOfViolation"); !s) {
    return s.error();
  }
  return ReadAll<DeliveryRecord>(*reader_, *stmt, ReadDelivery<Columns>, "DeliveriesOfViolation");
}

Status SqliteStore::InsertSilence(SilenceRecord& r) {
  static const std::string kSql =
      "INSERT INTO silences (provider, model, metric, rule, starts_ms, ends_ms, created_by, "
      "comment, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  std::lock_guard lock(writer_->mu);
  Result<Statement> stmt = writer_->Prepare(kSql);
  if (!stmt) return stmt.error();
  Binder b(stmt->get());
  b.Text(r.provider).Text(r.model).Text(r.metric).Text(r.rule).Int(r.starts_ms).Int(r.ends_ms);
  b.Text(r.created_by).Text(r.comment).Int(r.created_ms);
  if (Status s = b.Done("InsertSilence"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("InsertSilence");
  r.id = sqlite3_last_insert_rowid(writer_->handle());
  return {};
}

Result<std::vector<SilenceRecord>> SqliteStore::ActiveSilences(int64_t now_ms) {
  static const std::string kSql =
      std::string("SELECT ") + kSilenceColumns + " FROM silences WHERE ends_ms > ? ORDER BY id";
  std::lock_guard lock(reader_->mu);
  Result<Statement> stmt = reader_->Prepare(kSql);
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
  if (sqlite3_changes64(writer_->handle()) == 0) {
    return Error{"not_found", "silence " + std::to_string(id) + " not found"};
  }
  return {};
}

}  // namespace llmscope::store
