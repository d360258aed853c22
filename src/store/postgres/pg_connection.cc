#include "store/postgres/pg_connection.h"

#include <endian.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "store/store_errors.h"

namespace llmscope::store::pg {
namespace {

// Type OIDs of the PostgreSQL catalog (pg_type.dat); stable across releases.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kByteaOid = 17;
constexpr Oid kFloat8Oid = 701;

// Pipelined statements are sent in chunks of this many, each chunk's results read before the
// next is sent, so neither side's socket buffer fills while the other waits on it.
constexpr size_t kPipelineChunk = 256;

std::string BigEndian(uint64_t v) {
  const uint64_t be = htobe64(v);
  return std::string(reinterpret_cast<const char*>(&be), sizeof be);
}

uint64_t FromBigEndian(const char* bytes) {
  uint64_t be;
  std::memcpy(&be, bytes, sizeof be);
  return be64toh(be);
}

// `sql` with its ? placeholders numbered $1, $2, ... (the SQL of this store has no ? elsewhere).
std::string Numbered(const std::string& sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string WithoutSecret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

// ---- PgParams --------------------------------------------------------------------------------

PgParams& PgParams::Add(Oid type, std::optional<std::string> bytes) {
  types_.push_back(type);
  lengths_.push_back(bytes ? static_cast<int>(bytes->size()) : 0);
  formats_.push_back(1);
  bytes_.push_back(std::move(bytes));
  return *this;
}

PgParams& PgParams::Int(int64_t v) {
  return Add(kInt8Oid, BigEndian(static_cast<uint64_t>(v)));
}
PgParams& PgParams::Double(double v) {
  return Add(kFloat8Oid, BigEndian(std::bit_cast<uint64_t>(v)));
}
PgParams& PgParams::Bool(bool v) {
  return Add(kBoolOid, std::string(1, v ? '\1' : '\0'));
}
PgParams& PgParams::Text(std::string_view v) {
  return Add(kTextOid, std::string(v));
}
PgParams& PgParams::OptDouble(const std::optional<double>& v) {
  return v ? Double(*v) : Add(kFloat8Oid, std::nullopt);
}
PgParams& PgParams::OptInt(const std::optional<int64_t>& v) {
  return v ? Int(*v) : Add(kInt8Oid, std::nullopt);
}
PgParams& PgParams::OptText(const std::optional<std::string>& v) {
  return v ? Text(*v) : Add(kTextOid, std::nullopt);
}

PgParams& PgParams::OptBytes(const std::optional<std::string>& v) {
  return Add(kByteaOid, v);
}

std::vector<const char*> PgParams::values() const {
  std::vector<const char*> out;
  out.reserve(bytes_.size());
  for (const std::optional<std::string>& b : bytes_) out.push_back(b ? b->data() : nullptr);
  return out;
}

// ---- PgRow -----------------------------------------------------------------------------------

void PgRow::Fail(std::string message) {
  if (!error_) error_ = StorageError(std::move(message));
}

const char* PgRow::Next(Oid type, int* length) {
  const int column = next_++;
  if (column >= PQnfields(result_)) {
    Fail("result has too few columns");
    return nullptr;
  }
  const Oid got = PQftype(result_, column);
  if (got != type && !(type == kInt8Oid && got == kInt4Oid)) {
    Fail("column " + std::string(PQfname(result_, column)) + " has type " + std::to_string(got));
    return nullptr;
  }
  if (PQgetisnull(result_, row_, column)) return nullptr;
  *length = PQgetlength(result_, row_, column);
  if (got == kInt4Oid) *length = -*length;  // marks a 4-byte integer for Int()
  return PQgetvalue(result_, row_, column);
}

std::optional<int64_t> PgRow::OptInt() {
  int length = 0;
  const char* bytes = Next(kInt8Oid, &length);
  if (bytes == nullptr) return std::nullopt;
  if (length == -4) {
    uint32_t be;
    std::memcpy(&be, bytes, sizeof be);
    return static_cast<int32_t>(be32toh(be));
  }
  if (length != 8) {
    Fail("int8 column of " + std::to_string(length) + " bytes");
    return std::nullopt;
  }
  return static_cast<int64_t>(FromBigEndian(bytes));
}

std::optional<double> PgRow::OptDouble() {
  int length = 0;
  const char* bytes = Next(kFloat8Oid, &length);
  if (bytes == nullptr) return std::nullopt;
  if (length != 8) {
    Fail("float8 column of " + std::to_string(length) + " bytes");
    return std::nullopt;
  }
  return std::bit_cast<double>(FromBigEndian(bytes));
}

std::optional<std::string> PgRow::OptText() {
  int length = 0;
  const char* bytes = Next(kTextOid, &length);
  if (bytes == nullptr) return std::nullopt;
  return std::string(bytes, static_cast<size_t>(length));
}

std::optional<std::string> PgRow::OptBytes() {
  int length = 0;
  const char* bytes = Next(kByteaOid, &length);
  if (bytes == nullptr) return std::nullopt;
  return std::string(bytes, static_cast<size_t>(length));
}

int64_t PgRow::Int() {
  std::optional<int64_t> v = OptInt();
  if (!v) Fail("NULL in an integer column");
  return v.value_or(0);
}

double PgRow::Double() {
  std::optional<double> v = OptDouble();
  if (!v) Fail("NULL in a float8 column");
  return v.value_or(0);
}

bool PgRow::Bool() {
  int length = 0;
  const char* bytes = Next(kBoolOid, &length);
  if (bytes == nullptr || length != 1) {
    Fail("NULL or malformed bool column");
    return false;
  }
  return bytes[0] != 0;
}

std::string PgRow::Text() {
  std::optional<std::string> v = OptText();
  if (!v) Fail("NULL in a text column");
  return v.value_or("");
}

// ---- PgConnection ----------------------------------------------------------------------------

PgConnection::PgConnection(std::string conninfo, std::string password)
    : conninfo_(std::move(conninfo)), password_(std::move(password)) {}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Error PgConnection::Fail(std::string_view what, const PGresult* result) const {
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty() && conn_ != nullptr) message = PQerrorMessage(conn_);
  if (message.empty()) message = "unknown error";
  return StorageError(
      WithoutSecret(std::string(what) + ": " + Trimmed(std::move(message)), password_));
}

Status PgConnection::EnsureConnected() {
  if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return {};
  statements_.clear();
  if (conn_ == nullptr) {
    conn_ = PQconnectdb(conninfo_.c_str());
    // Notices (CREATE ... IF NOT EXISTS skipping) are not errors: not printed on stderr.
    if (conn_ != nullptr)
      PQsetNoticeProcessor(
          conn_, [](void*, const char*) {}, nullptr);
  } else {
    PQreset(conn_);  // the same parameters, a new session: prepared statements are gone
  }
  if (conn_ == nullptr) return StorageError("connect: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) return Fail("connect");
  return {};
}

Status PgConnection::Exec(const std::string& sql, std::string_view what) {
  PgResult result(PQexec(conn_, sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Fail(what, result.get());
  return {};
}

Result<std::string> PgConnection::Prepare(const std::string& sql, const std::vector<Oid>& types,
                                          std::string_view what) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  std::string name = "s" + std::to_string(statements_.size());
  PgResult result(PQprepare(conn_, name.c_str(), Numbered(sql).c_str(),
                            static_cast<int>(types.size()), types.data()),
                  &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) return Fail(what, result.get());
  statements_.emplace(sql, name);
  return name;
}

Result<PgResult> PgConnection::Run(const std::string& sql, const PgParams& params,
                                   std::string_view what) {
  Result<std::string> name = Prepare(sql, params.types(), what);
  if (!name) return name.error();
  std::vector<const char*> values = params.values();
  PgResult result(PQexecPrepared(conn_, name->c_str(), params.size(), values.data(),
                                 params.lengths().data(), params.formats().data(),
                                 /*resultFormat=*/1),
                  &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Fail(what, result.get());
  return result;
}

Result<std::vector<PgResult>> PgConnection::RunPipelined(const std::string& sql,
                                                         const std::vector<PgParams>& params,
                                                         std::string_view what) {
  std::vector<PgStatement> statements;
  statements.reserve(params.size());
  for (const PgParams& p : params) statements.push_back({.sql = &sql, .params = &p});
  return RunPipelined(statements, what);
}

Result<std::vector<PgResult>> PgConnection::RunPipelined(std::span<const PgStatement> statements,
                                                         std::string_view what) {
  std::vector<PgResult> results;
  if (statements.empty()) return results;
  // Each statement's prepared name, looked up once per run of the same SQL.
  std::vector<std::string> names;
  names.reserve(statements.size());
  for (size_t i = 0; i < statements.size(); ++i) {
    if (i > 0 && statements[i].sql == statements[i - 1].sql) {
      names.push_back(names.back());
      continue;
    }
    Result<std::string> name = Prepare(*statements[i].sql, statements[i].params->types(), what);
    if (!name) return name.error();
    names.push_back(std::move(*name));
  }
  if (PQenterPipelineMode(conn_) != 1) return Fail(what);
  std::optional<Error> failure;
  // Reads the results of one sent statement (one result, then NULL), keeping the first failure.
  auto read_one = [&]() {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) {
      if (!failure) failure = Fail(what);
      return;
    }
    const ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      results.emplace_back(r, &PQclear);
    } else {
      if (!failure) failure = Fail(what, r);
      PQclear(r);
    }
    while ((r = PQgetResult(conn_)) != nullptr) PQclear(r);
  };
  size_t sent = 0;
  while (sent < statements.size() && PQstatus(conn_) == CONNECTION_OK) {
    const size_t end = std::min(statements.size(), sent + kPipelineChunk);
    const size_t chunk_start = sent;
    for (; sent < end; ++sent) {
      const PgParams& p = *statements[sent].params;
      std::vector<const char*> values = p.values();
      if (PQsendQueryPrepared(conn_, names[sent].c_str(), p.size(), values.data(),
                              p.lengths().data(), p.formats().data(), /*resultFormat=*/1) != 1) {
        if (!failure) failure = Fail(what);
        break;
      }
    }
    if (PQsendFlushRequest(conn_) != 1 || PQflush(conn_) != 0) {
      if (!failure) failure = Fail(what);
    }
    for (size_t i = chunk_start; i < sent && PQstatus(conn_) == CONNECTION_OK; ++i) read_one();
    if (failure) break;
  }
  if (PQstatus(conn_) == CONNECTION_OK && PQpipelineSync(conn_) == 1) {
    // Up to the sync point: what remains of statements skipped after a failure, then the sync.
    while (PQstatus(conn_) == CONNECTION_OK) {
      PGresult* r = PQgetResult(conn_);
      if (r == nullptr) continue;
      const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
      PQclear(r);
      if (sync) break;
    }
  }
  if (PQexitPipelineMode(conn_) != 1 && !failure) failure = Fail(what);
  if (!failure && PQstatus(conn_) != CONNECTION_OK) failure = Fail(what);
  if (failure) return *failure;
  return results;
}

// ---- PgPool ----------------------------------------------------------------------------------

PgPool::PgPool(std::string conninfo, std::string password, int size)
    : conninfo_(std::move(conninfo)), password_(std::move(password)), size_(size) {}

PgPool::Lease PgPool::Acquire() {
  PgConnection* conn = nullptr;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty() || static_cast<int>(all_.size()) < size_; });
    if (!free_.empty()) {
      conn = free_.back();
      free_.pop_back();
    } else {
      all_.push_back(std::make_unique<PgConnection>(conninfo_, password_));
      conn = all_.back().get();
    }
  }
  Lease lease(this, conn);
  if (Status s = conn->EnsureConnected(); !s) return Lease(s.error());
  return lease;
}

void PgPool::Release(PgConnection* conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(conn);
  }
  cv_.notify_one();
}

}  // namespace llmscope::store::pg
