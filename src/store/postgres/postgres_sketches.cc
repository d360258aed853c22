// PostgresStore's sketch hours (store.h "Sketch hours"): the shared statements of sketch_sql.h.
#include "store/postgres/postgres_store.h"
#include "store/record_fields.h"
#include "store/sketch_sql.h"

namespace llmscope::store {

Status PostgresStore::PutSketchHours(const std::vector<SketchHour>& hours) {
  if (hours.empty()) return {};
  std::vector<pg::PgParams> rows(hours.size());
  for (size_t i = 0; i < hours.size(); ++i) sketch_sql::BindSketchHour(rows[i], hours[i]);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  pg::PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s;
  Result<std::vector<pg::PgResult>> done =
      conn->RunPipelined(sketch_sql::Upsert(), rows, "PutSketchHours");
  if (!done) return done.error();
  return txn.Commit();
}

Result<std::vector<SeriesSketchHour>> PostgresStore::QuerySketchHours(const SeriesKey& series,
                                                                      int64_t since_ms,
                                                                      int64_t until_ms) {
  if (Status s = sketch_sql::CheckSketched(series.metric); !s) return s.error();
  pg::PgParams p;
  record_fields::BindSource(p, series.source);
  p.Int(since_ms).Int(until_ms);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<pg::PgResult> r = conn->Run(sketch_sql::Select(series.metric), p, "QuerySketchHours");
  if (!r) return r.error();
  Result<std::vector<std::pair<int64_t, std::string>>> rows =
      pg::ReadAll<std::pair<int64_t, std::string>>(*r, sketch_sql::ReadSketchRow<pg::PgRow>);
  if (!rows) return rows.error();
  return sketch_sql::Decoded(*rows);
}

Result<std::optional<int64_t>> PostgresStore::NewestSketchHour(const SourceKey& source) {
  pg::PgParams p;
  record_fields::BindSource(p, source);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<pg::PgResult> r = conn->Run(sketch_sql::SelectNewestHour(), p, "NewestSketchHour");
  if (!r) return r.error();
  pg::PgRow row(r->get(), 0);
  std::optional<int64_t> newest = row.OptInt();
  if (row.error()) return *row.error();
  return newest;
}

}  // namespace llmscope::store
