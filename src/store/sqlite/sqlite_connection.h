// The sqlite3 layer under SqliteStore: one connection with its prepared-statement cache and the
// mutex that guards both, the statements it hands out, parameters bound and rows read in
// record_fields.h's vocabulary, and transactions.
//
// SQL text is fixed by the caller: every value is a ? parameter, bound in order. A statement is
// prepared once per connection, on first use, and reset and unbound when its user is done, so
// the next user starts clean and a read releases its snapshot.
//
// Threads: nothing here is thread-safe by itself. Whoever uses a connection, or a statement or
// transaction of it, holds the connection's `mu`.
//
// Errors are "storage_error" values with SQLite's message. Nothing throws.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"

namespace llmscope::store::sqlite {

// A cached prepared statement for the duration of one use.
class SqliteStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement();

  sqlite3_stmt* get() const { return stmt_; }
  int Step() { return sqlite3_step(stmt_); }
  // Makes the statement ready to be bound and stepped again.
  void Reset() { sqlite3_reset(stmt_); }

 private:
  sqlite3_stmt* stmt_;
};

// Binds parameters 1, 2, ... of a statement in call order and keeps the first failure.
//
// Texts are copied by SQLite unless bound kBorrowed: then SQLite reads the caller's bytes when
// the statement is stepped, so they must stay alive and unchanged until the last Step of this
// binding (the SqliteStatement's destructor clears the bindings). A batch insert borrows its
// samples' texts: copying them was a malloc and a free per text column per row.
enum class TextBinding { kCopied, kBorrowed };

class SqliteBinder {
 public:
  explicit SqliteBinder(sqlite3_stmt* stmt, TextBinding texts = TextBinding::kCopied)
      : stmt_(stmt), texts_(texts) {}

  SqliteBinder& Int(int64_t v) { return Check(sqlite3_bind_int64(stmt_, next_++, v)); }
  SqliteBinder& Bool(bool v) { return Int(v ? 1 : 0); }
  SqliteBinder& Double(double v) { return Check(sqlite3_bind_double(stmt_, next_++, v)); }
  SqliteBinder& Text(std::string_view v);
  SqliteBinder& Null() { return Check(sqlite3_bind_null(stmt_, next_++)); }
  SqliteBinder& OptDouble(const std::optional<double>& v) { return v ? Double(*v) : Null(); }
  SqliteBinder& OptInt(const std::optional<int64_t>& v) { return v ? Int(*v) : Null(); }
  SqliteBinder& OptText(const std::optional<std::string>& v) { return v ? Text(*v) : Null(); }
  // Raw bytes (a BLOB); nullopt binds NULL.
  SqliteBinder& OptBytes(const std::optional<std::string>& v);

  // "storage_error" naming `what` when a bind failed.
  Status Done(std::string_view what) const;

 private:
  SqliteBinder& Check(int rc) {
    if (rc_ == SQLITE_OK) rc_ = rc;
    return *this;
  }

  sqlite3_stmt* stmt_;
  TextBinding texts_;
  int next_ = 1;
  int rc_ = SQLITE_OK;
};

// Reads the columns of a statement's current row 0, 1, ... in call order. A malformed value (a
// corrupt or foreign row) is remembered in error().
class SqliteRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}

  int64_t Int() { return sqlite3_column_int64(stmt_, next_++); }
  int Int32() { return sqlite3_column_int(stmt_, next_++); }
  bool Bool() { return Int() != 0; }
  double Double() { return sqlite3_column_double(stmt_, next_++); }
  std::string Text();
  std::optional<double> OptDouble();
  std::optional<int64_t> OptInt();
  std::optional<std::string> OptText();
  std::optional<std::string> OptBytes();  // a BLOB column
  // Records `message` as the row's error, unless it has one already.
  void Fail(std::string message);

  const std::optional<Error>& error() const { return error_; }

 private:
  // True (and the column skipped) when the next column is NULL.
  bool NextIsNull();

  sqlite3_stmt* stmt_;
  int next_ = 0;
  std::optional<Error> error_;
};

// One connection and its statement cache.
class SqliteConnection {
 public:
  // Opens the file at `path` with `flags` (SQLITE_OPEN_READWRITE, ...): a connection that waits
  // up to 5 s for another's lock before it fails with "busy".
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, int flags);

  // Finalizes every cached statement and closes the connection.
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  std::mutex mu;

  sqlite3* handle() const { return handle_; }

  // "storage_error": `what` and SQLite's message for the last failure on this connection.
  Error Fail(std::string_view what) const;

  // The cached statement for `sql`, prepared on first use.
  Result<SqliteStatement> Prepare(const std::string& sql);

  // Runs a statement that takes no parameters, stepping through any rows it returns.
  Status Run(const std::string& sql);
  // The first column of the first row of a parameterless statement (a PRAGMA), as text.
  Result<std::string> QueryText(const std::string& sql);
  // The first column of the first row of `sql` as an integer, with `text` bound to its one
  // parameter when given; nullopt for NULL.
  Result<std::optional<int64_t>> QueryOptInt(const std::string& sql,
                                             std::optional<std::string_view> text = std::nullopt);
  // QueryOptInt of a parameterless statement, NULL read as 0.
  Result<int64_t> QueryInt(const std::string& sql);
  // Runs a script of statements without parameters (migrations).
  Status Exec(const std::string& script, std::string_view what);

 private:
  explicit SqliteConnection(sqlite3* handle) : handle_(handle) {}

  sqlite3* handle_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// A transaction on a connection whose mutex the caller holds. Rolled back on destruction unless
// Commit() succeeded; declare it before the statements used inside it, so they are reset first.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteConnection& conn) : conn_(conn) {}
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();

  // BEGIN IMMEDIATE takes the write lock at once (waiting up to the busy timeout), so a write
  // transaction never fails halfway for want of it. BEGIN (deferred) starts a read snapshot.
  Status Begin(bool immediate);
  Status Commit();

 private:
  SqliteConnection& conn_;
  bool open_ = false;
};

// Steps `stmt` to the end, reading each row with `read`; the rows, or the first failure.
template <typename T, typename Read>
Result<std::vector<T>> ReadAll(SqliteConnection& conn, SqliteStatement& stmt, Read read,
                               std::string_view what) {
  std::vector<T> rows;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    SqliteRow row(stmt.get());
    rows.push_back(read(row));
    if (row.error()) return *row.error();
  }
  if (rc != SQLITE_DONE) return conn.Fail(what);
  return rows;
}

}  // namespace llmscope::store::sqlite
