#include "store/sqlite/sqlite_connection.h"

#include "store/store_errors.h"

namespace llmscope::store::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

}  // namespace

// ---- SqliteStatement, SqliteBinder, SqliteRow ------------------------------------------------

SqliteStatement::~SqliteStatement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

SqliteBinder& SqliteBinder::Text(std::string_view v) {
  // A null pointer would bind NULL: an empty string is bound from "".
  return Check(sqlite3_bind_text64(
      stmt_, next_++, v.empty() ? "" : v.data(), v.size(),
      texts_ == TextBinding::kBorrowed ? SQLITE_STATIC : SQLITE_TRANSIENT, SQLITE_UTF8));
}

SqliteBinder& SqliteBinder::OptBytes(const std::optional<std::string>& v) {
  if (!v) return Null();
  // A null pointer would bind NULL: empty bytes are bound from "".
  return Check(sqlite3_bind_blob64(stmt_, next_++, v->empty() ? "" : v->data(), v->size(),
                                   SQLITE_TRANSIENT));
}

Status SqliteBinder::Done(std::string_view what) const {
  if (rc_ == SQLITE_OK) return {};
  return StorageError(std::string(what) + ": bind: " + sqlite3_errstr(rc_));
}

std::string SqliteRow::Text() {
  const int i = next_++;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  if (text == nullptr) return std::string();
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

std::optional<double> SqliteRow::OptDouble() {
  if (NextIsNull()) return std::nullopt;
  return Double();
}

std::optional<int64_t> SqliteRow::OptInt() {
  if (NextIsNull()) return std::nullopt;
  return Int();
}

std::optional<std::string> SqliteRow::OptText() {
  if (NextIsNull()) return std::nullopt;
  return Text();
}

std::optional<std::string> SqliteRow::OptBytes() {
  if (NextIsNull()) return std::nullopt;
  const int i = next_++;
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
  if (bytes == nullptr) return std::string();
  return std::string(bytes, static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

void SqliteRow::Fail(std::string message) {
  if (!error_) error_ = StorageError(std::move(message));
}

bool SqliteRow::NextIsNull() {
  if (sqlite3_column_type(stmt_, next_) != SQLITE_NULL) return false;
  ++next_;
  return true;
}

// ---- SqliteConnection ------------------------------------------------------------------------

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 int flags) {
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message =
        "open " + path + ": " + (handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
    sqlite3_close_v2(handle);
    return StorageError(std::move(message));
  }
  sqlite3_busy_timeout(handle, kBusyTimeoutMs);
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(handle));
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(handle_);
}

Error SqliteConnection::Fail(std::string_view what) const {
  return StorageError(std::string(what) + ": " + sqlite3_errmsg(handle_));
}

Result<SqliteStatement> SqliteConnection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(handle_, sql.c_str(), static_cast<int>(sql.size() + 1),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return Fail("prepare");
    }
    it = statements_.emplace(sql, stmt).first;
  }
  return SqliteStatement(it->second);
}

Status SqliteConnection::Run(const std::string& sql) {
  Result<SqliteStatement> stmt = Prepare(sql);
  if (!stmt) return stmt.error();
  int rc;
  while ((rc = stmt->Step()) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return Fail(sql);
  return {};
}

Result<std::string> SqliteConnection::QueryText(const std::string& sql) {
  Result<SqliteStatement> stmt = Prepare(sql);
  if (!stmt) return stmt.error();
  if (stmt->Step() != SQLITE_ROW) return Fail(sql);
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt->get(), 0));
  return std::string(text == nullptr ? "" : text);
}

Result<std::optional<int64_t>> SqliteConnection::QueryOptInt(const std::string& sql,
                                                             std::optional<std::string_view> text) {
  Result<SqliteStatement> stmt = Prepare(sql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  if (text) b.Text(*text);
  if (Status s = b.Done(sql); !s) return s.error();
  if (stmt->Step() != SQLITE_ROW) return Fail(sql);
  if (sqlite3_column_type(stmt->get(), 0) == SQLITE_NULL) return std::optional<int64_t>();
  return std::optional<int64_t>(sqlite3_column_int64(stmt->get(), 0));
}

Result<int64_t> SqliteConnection::QueryInt(const std::string& sql) {
  Result<std::optional<int64_t>> value = QueryOptInt(sql);
  if (!value) return value.error();
  return value->value_or(0);
}

Status SqliteConnection::Exec(const std::string& script, std::string_view what) {
  if (sqlite3_exec(handle_, script.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Fail(what);
  }
  return {};
}

// ---- SqliteTransaction -----------------------------------------------------------------------

SqliteTransaction::~SqliteTransaction() {
  if (open_ && !sqlite3_get_autocommit(conn_.handle())) (void)conn_.Run("ROLLBACK");
}

Status SqliteTransaction::Begin(bool immediate) {
  Status s = conn_.Run(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = s.ok();
  return s;
}

Status SqliteTransaction::Commit() {
  Status s = conn_.Run("COMMIT");
  if (s) open_ = false;
  return s;
}

}  // namespace llmscope::store::sqlite
