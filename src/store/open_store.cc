#include "store/open_store.h"

#include <string_view>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace llmscope::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url,
                                          const SchemaUpgradeNotice& upgrade_notice) {
  constexpr std::string_view kSqlite = "sqlite://";
  std::string_view u = url;
  if (u.starts_with(kSqlite)) {
    std::string path(u.substr(kSqlite.size()));
    if (path.empty()) {
      return Error{"invalid_store_url", "store url '" + url + "' names no file"};
    }
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path, upgrade_notice);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  if (u.starts_with("postgres://") || u.starts_with("postgresql://")) {
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(url, upgrade_notice);
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  return Error{"invalid_store_url",
               "store url '" + url + "' is neither sqlite://PATH nor postgres://..."};
}

}  // namespace llmscope::store
