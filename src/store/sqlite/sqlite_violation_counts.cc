#include "store/sqlite/sqlite_violation_counts.h"

#include <sqlite3.h>

#include <mutex>
#include <string>

#include "store/rollups.h"
#include "store/sqlite/sqlite_store.h"
#include "store/violation_count_sql.h"

namespace llmscope::store {
namespace sqlite {
namespace {

// Runs a statement of Int parameters to its end.
Status RunInts(SqliteConnection& conn, const std::string& sql, std::initializer_list<int64_t> ints,
               const char* what) {
  Result<SqliteStatement> stmt = conn.Prepare(sql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  for (int64_t i : ints) b.Int(i);
  if (Status s = b.Done(what); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return conn.Fail(what);
  return {};
}

}  // namespace

Status AddToViolationCounts(SqliteConnection& conn, const std::vector<ViolationCount>& counts) {
  if (counts.empty()) return {};
  Result<SqliteStatement> upsert = conn.Prepare(violation_count_sql::Upsert());
  if (!upsert) return upsert.error();
  for (const ViolationCount& c : counts) {
    SqliteBinder b(upsert->get());
    violation_count_sql::BindCount(b, c);
    if (Status s = b.Done("violation_counts"); !s) return s;
    if (upsert->Step() != SQLITE_DONE) return conn.Fail("violation_counts");
    upsert->Reset();
  }
  return {};
}

Status RebuildViolationCounts(SqliteConnection& conn, int64_t from) {
  if (Status s = RunInts(conn, violation_count_sql::DeleteFrom(), {from}, "violation_counts");
      !s) {
    return s;
  }
  for (int64_t width : kRollupWidthsMs) {
    if (Status s = RunInts(conn, violation_count_sql::FillFromViolations(width), {from},
                           "violation_counts: fill");
        !s) {
      return s;
    }
  }
  return {};
}

Result<int64_t> DeleteViolationCountsOlderThan(SqliteConnection& conn, int64_t width_ms,
                                               int64_t cutoff_ms) {
  if (Status s = RunInts(conn, violation_count_sql::DeleteOlderThan(), {width_ms, cutoff_ms},
                         "DeleteRollupsOlderThan: violation_counts");
      !s) {
    return s.error();
  }
  return static_cast<int64_t>(sqlite3_changes64(conn.handle()));
}

}  // namespace sqlite

Result<std::vector<ViolationCount>> SqliteStore::QueryViolationCounts(
    const ViolationCountQuery& q) {
  std::lock_guard lock(reader_->mu);
  Result<sqlite::SqliteStatement> stmt = reader_->Prepare(violation_count_sql::Select());
  if (!stmt) return stmt.error();
  sqlite::SqliteBinder b(stmt->get());
  violation_count_sql::BindCountQuery(b, q);
  if (Status s = b.Done("QueryViolationCounts"); !s) return s.error();
  Result<std::vector<ViolationCount>> counts = sqlite::ReadAll<ViolationCount>(
      *reader_, *stmt, violation_count_sql::ReadQueriedCount<sqlite::SqliteRow>,
      "QueryViolationCounts");
  if (counts) {
    for (ViolationCount& c : *counts) c.series = q.series;
  }
  return counts;
}

}  // namespace llmscope::store
