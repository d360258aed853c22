// Prices and spend (docs/design.md "Prices and cost"):
//
//   GET    /api/prices
//     → {"prices": [{"provider", "model", "input_usd_per_mtok", "output_usd_per_mtok",
//       "source": "builtin"|"store", "set_at", ("updated_by", "version" for "store")}]}: every
//       priced model, by provider then model. set_at: the day the built-in table was written, or
//       when the price was set (ISO 8601).
//   PUT    /api/prices/{provider}/{model}  {"input_usd_per_mtok", "output_usd_per_mtok"}
//     Sets a price (settings/price_settings.h) → 200 the entry. The probe and the proxy cost the
//     calls that end after it at the new price; samples keep the cost_usd they were given.
//   DELETE /api/prices/{provider}/{model} → 204, back to the built-in price (or none); 404 when
//     no price was set.
//   GET    /api/cost?group=provider|model|day[,...]&since=&until=
//     → {"since", "until", "group", "rows": [{"provider", "model", "day", "spend_usd", "calls",
//       "priced_calls", "usd_per_1000_calls"}]} (cost_report.h): the spend of the calls in
//       [since, until) (ISO 8601; default the last 30 days up to now), read from the hourly
//       rollups: whole hours, from the one holding since to the one holding until. group
//       defaults to "model".
//
// Bad fields and parameters get 400 naming them, nothing stored. The API key is needed for
// every route (GET ones too unless public_reads).
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "probe/price_table.h"
#include "store/store.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

// Makes `live` hold the built-in prices (PriceTable::Defaults) with the stored ones over them.
// Called after each change through the API and by the settings watcher for changes made by
// other servers on the database.
Status ReloadPrices(store::Store& store, probe::PriceTable& live);

// `store` must outlive `router`; `live` is a handle shared with the probe and the proxy.
void RegisterPriceRoutes(http::Router& router, store::Store& store, probe::PriceTable live,
                         const Clock& clock);

}  // namespace llmscope::server
