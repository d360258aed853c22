// SqliteStore's sketch hours (store.h "Sketch hours"): the shared statements of sketch_sql.h on
// the writer and reader.
#include "store/record_fields.h"
#include "store/sketch_sql.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"

namespace llmscope::store {

using sqlite::SqliteBinder;
using sqlite::SqliteRow;
using sqlite::SqliteStatement;
using sqlite::SqliteTransaction;

Status SqliteStore::PutSketchHours(const std::vector<SketchHour>& hours) {
  if (hours.empty()) return {};
  std::lock_guard lock(writer_->mu);
  SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s;
  Result<SqliteStatement> upsert = writer_->Prepare(sketch_sql::Upsert());
  if (!upsert) return upsert.error();
  for (const SketchHour& h : hours) {
    SqliteBinder b(upsert->get());
    sketch_sql::BindSketchHour(b, h);
    if (Status s = b.Done("PutSketchHours"); !s) return s;
    if (upsert->Step() != SQLITE_DONE) return writer_->Fail("PutSketchHours");
    upsert->Reset();
  }
  return txn.Commit();
}

Result<std::vector<SeriesSketchHour>> SqliteStore::QuerySketchHours(const SeriesKey& series,
                                                                    int64_t since_ms,
                                                                    int64_t until_ms) {
  if (Status s = sketch_sql::CheckSketched(series.metric); !s) return s.error();
  const std::string sql = sketch_sql::Select(series.metric);
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(sql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  record_fields::BindSource(b, series.source);
  b.Int(since_ms).Int(until_ms);
  if (Status s = b.Done("QuerySketchHours"); !s) return s.error();
  Result<std::vector<std::pair<int64_t, std::string>>> rows =
      sqlite::ReadAll<std::pair<int64_t, std::string>>(
          *reader_, *stmt, sketch_sql::ReadSketchRow<SqliteRow>, "QuerySketchHours");
  if (!rows) return rows.error();
  return sketch_sql::Decoded(*rows);
}

Result<std::optional<int64_t>> SqliteStore::NewestSketchHour(const SourceKey& source) {
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(sketch_sql::SelectNewestHour());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  record_fields::BindSource(b, source);
  if (Status s = b.Done("NewestSketchHour"); !s) return s.error();
  if (stmt->Step() != SQLITE_ROW) return reader_->Fail("NewestSketchHour");
  SqliteRow row(stmt->get());
  return row.OptInt();
}

}  // namespace llmscope::store
