// Fuzzes `llmscope analyze`'s CSV/JSON reader (app/series_reader.h). The first byte picks the
// column or field asked for (none, by name, by index), the rest is the file. It must never crash,
// refuse only with a documented code, and give only finite numbers.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>

#include "app/series_reader.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::set<std::string> kCodes = {"bad_cell", "no_such_column", "no_numeric_column",
                                               "bad_json", "empty_input"};
  static const llmscope::app::SeriesSource kSources[] = {
      {}, {"latency_ms", ""}, {"2", ""}, {"", "latency_ms"}, {"0", "e2e_ms"}};
  if (size == 0) return 0;
  const llmscope::app::SeriesSource& source = kSources[data[0] % std::size(kSources)];
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  const auto r = llmscope::app::ReadSeries(in, source);
  if (!r.ok()) {
    FUZZ_CHECK(kCodes.count(r.error().code) == 1);
    return 0;
  }
  FUZZ_CHECK(!r->values.empty());
  for (double v : r->values) FUZZ_CHECK(std::isfinite(v));
  return 0;
}
