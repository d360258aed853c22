// The libpq layer under PostgresStore: parameters and rows in libpq's binary format, one
// connection with its prepared-statement cache, and a small pool of them.
//
// Every value travels as a parameter ($1, $2, ...) in binary form: doubles as the 8 bytes of
// float8 (bit for bit, no text rounding), integers as int8, booleans as bool, strings as text.
// Rows come back in binary form too. SQL text is fixed by the caller; a statement is prepared
// once per connection, on first use, with the parameter types the PgParams recorded.
//
// Errors are "storage_error" values whose text never holds the password of the connection URL.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"

namespace llmscope::store::pg {

// Parameters $1, $2, ... in call order, with their types, in binary format.
class PgParams {
 public:
  PgParams& Int(int64_t v);
  PgParams& Double(double v);
  PgParams& Bool(bool v);
  PgParams& Text(std::string_view v);
  PgParams& OptDouble(const std::optional<double>& v);
  PgParams& OptInt(const std::optional<int64_t>& v);
  PgParams& OptText(const std::optional<std::string>& v);
  // Raw bytes (bytea); nullopt binds NULL.
  PgParams& OptBytes(const std::optional<std::string>& v);

  int size() const { return static_cast<int>(types_.size()); }
  const std::vector<Oid>& types() const { return types_; }
  // Pointers into this object: valid while it lives and is not changed.
  std::vector<const char*> values() const;
  const std::vector<int>& lengths() const { return lengths_; }
  const std::vector<int>& formats() const { return formats_; }

 private:
  PgParams& Add(Oid type, std::optional<std::string> bytes);

  std::vector<Oid> types_;
  std::vector<std::optional<std::string>> bytes_;  // nullopt: SQL NULL
  std::vector<int> lengths_, formats_;
};

// Reads one row of a binary-format result column by column, left to right. A column of an
// unexpected type or a NULL where a value is required records an error (see error()).
class PgRow {
 public:
  PgRow(const PGresult* result, int row) : result_(result), row_(row) {}

  int64_t Int();
  int Int32() { return static_cast<int>(Int()); }
  double Double();
  bool Bool();
  std::string Text();
  std::optional<int64_t> OptInt();
  std::optional<double> OptDouble();
  std::optional<std::string> OptText();
  std::optional<std::string> OptBytes();  // a bytea column
  // Records `message` as the row's error, unless it has one already.
  void Fail(std::string message);

  const std::optional<Error>& error() const { return error_; }

 private:
  // The next column's bytes, or nullptr for NULL; checks its type is `type`.
  const char* Next(Oid type, int* length);

  const PGresult* result_;
  int row_;
  int next_ = 0;
  std::optional<Error> error_;
};

// A PGresult, cleared when it goes.
using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

// One statement of a pipeline: its fixed SQL and its parameters, both kept alive by the caller.
struct PgStatement {
  const std::string* sql;
  const PgParams* params;
};

// One connection and its statement cache. Not thread-safe: PgPool hands it to one user at a time.
class PgConnection {
 public:
  // `conninfo`: a postgres:// URL. `password`: its password (may be empty), removed from every
  // error text.
  PgConnection(std::string conninfo, std::string password);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects when not connected, or reconnects when the last call found the connection broken
  // (the server restarted): the statement cache starts empty again.
  Status EnsureConnected();

  // Runs fixed SQL with no parameters (BEGIN, COMMIT, DDL); several statements allowed.
  Status Exec(const std::string& sql, std::string_view what);
  // Runs `sql` (with ? placeholders, numbered $1, $2, ... in order) with `params`, returning
  // the result (rows in binary format) when it succeeded.
  Result<PgResult> Run(const std::string& sql, const PgParams& params, std::string_view what);
  // Runs one prepared statement once per parameter set in pipeline mode (one round trip for all)
  // and returns the results in order. All or the first failure.
  Result<std::vector<PgResult>> RunPipelined(const std::string& sql,
                                             const std::vector<PgParams>& params,
                                             std::string_view what);
  // Runs the statements, each prepared once per connection, in pipeline mode (one round trip for
  // all) and returns their results in order. All or the first failure.
  Result<std::vector<PgResult>> RunPipelined(std::span<const PgStatement> statements,
                                             std::string_view what);

  // "storage_error": `what` and the server's message, password removed.
  Error Fail(std::string_view what, const PGresult* result = nullptr) const;

 private:
  // The statement name for `sql`, preparing it on first use with `types`.
  Result<std::string> Prepare(const std::string& sql, const std::vector<Oid>& types,
                              std::string_view what);

  std::string conninfo_, password_;
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> statements_;  // sql → name
};

// Every row of `result`, read with `read` (a function of PgRow&); or the first malformed row's
// error.
template <typename T, typename Read>
Result<std::vector<T>> ReadAll(const PgResult& result, Read read) {
  std::vector<T> rows;
  const int n = PQntuples(result.get());
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    PgRow row(result.get(), i);
    rows.push_back(read(row));
    if (row.error()) return *row.error();
  }
  return rows;
}

// A transaction on one connection: rolled back on destruction unless committed.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& conn) : conn_(conn) {}
  ~PgTransaction() {
    if (open_) (void)conn_.Exec("ROLLBACK", "rollback");
  }
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;

  Status Begin() {
    Status s = conn_.Exec("BEGIN", "begin");
    open_ = s.ok();
    return s;
  }
  Status Commit() {
    open_ = false;
    return conn_.Exec("COMMIT", "commit");
  }

 private:
  PgConnection& conn_;
  bool open_ = false;
};

// Up to `size` connections, made on demand; Acquire waits for a free one.
class PgPool {
 public:
  PgPool(std::string conninfo, std::string password, int size);

  // A connection held for one call, back to the pool when the lease goes; or why none could be
  // had (the connection error).
  class Lease {
   public:
    Lease(PgPool* pool, PgConnection* conn) : pool_(pool), conn_(conn) {}
    explicit Lease(Error error) : error_(std::move(error)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          conn_(std::exchange(other.conn_, nullptr)),
          error_(std::move(other.error_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(conn_);
    }

    explicit operator bool() const { return !error_; }
    const Error& error() const { return *error_; }
    PgConnection* operator->() const { return conn_; }
    PgConnection& operator*() const { return *conn_; }

   private:
    PgPool* pool_ = nullptr;
    PgConnection* conn_ = nullptr;
    std::optional<Error> error_;
  };

  // A connected connection, or the connection error.
  Lease Acquire();

 private:
  void Release(PgConnection* conn);

  std::string conninfo_, password_;
  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> all_;
  std::vector<PgConnection*> free_;
};

// Replaces every occurrence of `secret` in `text` with "***" (nothing when `secret` is empty).
std::string WithoutSecret(std::string text, const std::string& secret);

}  // namespace llmscope::store::pg
