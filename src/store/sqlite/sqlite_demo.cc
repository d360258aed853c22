// SqliteStore's demo data (store.h "Demo data"): the shared statements on the writer and reader.
#include "store/record_fields.h"
#include "store/sql_statements.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"

namespace llmscope::store {

using sqlite::SqliteBinder;
using sqlite::SqliteStatement;
using sqlite::SqliteTransaction;

Status SqliteStore::MarkDemoSource(const SourceKey& source, int64_t now_ms) {
  std::lock_guard lock(writer_->mu);
  Result<SqliteStatement> stmt = writer_->Prepare(sql::InsertDemoSource());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  record_fields::BindSource(b, source);
  b.Int(now_ms);
  if (Status s = b.Done("MarkDemoSource"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("MarkDemoSource");
  return {};
}

Result<std::vector<SourceKey>> SqliteStore::DemoSources() {
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(sql::SelectDemoSources());
  if (!stmt) return stmt.error();
  return sqlite::ReadAll<SourceKey>(*reader_, *stmt, record_fields::ReadSource<sqlite::SqliteRow>,
                                    "DemoSources");
}

Result<int64_t> SqliteStore::DeleteDemoData() {
  std::lock_guard lock(writer_->mu);
  SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  int64_t deleted = 0;
  for (const std::string& statement : sql::DemoDeletes({"violation_counts"})) {
    if (Status s = writer_->Run(statement); !s) return s.error();
    deleted += sqlite3_changes64(writer_->handle());
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return deleted;
}

}  // namespace llmscope::store
