#include "server/sample_routes.h"

#include "http/router.h"

#include <cstdint>
#include <limits>
#include <sstream>

#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "server/sample_window.h"
#include "store/record_csv.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

// The store has no read by id: the first sample after id - 1 is the one, if it has that id.
Result<Json> StoredSample(store::Store& store, const std::string& id_text) {
  Result<int64_t> id =
      NumberInRange<int64_t>("id", id_text, 1, std::numeric_limits<int64_t>::max());
  if (!id) return id.error();
  store::SampleQuery q;
  q.after_id = *id - 1;
  q.limit = 1;
  Result<std::vector<Sample>> found = store.QuerySamples(q);
  if (!found) return found.error();
  if (found->empty() || found->front().id != *id) {
    return Error{"not_found", "no sample " + std::to_string(*id)};
  }
  const Sample& s = found->front();
  Json out = SampleJson(s);
  if (s.prompt_text) out["prompt_text"] = *s.prompt_text;
  return out;
}

std::string SamplesCsv(const std::vector<Sample>& samples) {
  std::ostringstream csv;
  csv << store::kSamplesCsvHeader;
  store::WriteSampleCsvRows(csv, samples);
  return csv.str();
}

}  // namespace

void RegisterSampleRoutes(http::Router& router, store::Store& store, const Clock& clock) {
  router.Get(R"(/api/samples/([^/]+))", [&store](const Request& req, Response& res) {
    Result<Json> sample = StoredSample(store, req.matches[1]);
    if (!sample) return SendError(res, sample.error());
    SendJson(res, 200, *sample);
  });

  router.Get("/api/export/samples", [&store, clock](const Request& req, Response& res) {
    Result<store::SampleQuery> q = SampleWindow(QueryParams(req.params), false, clock());
    if (!q) return SendError(res, q.error());
    Result<std::vector<Sample>> samples = NewestOfWindow(store, *q);
    if (!samples) return SendError(res, samples.error());
    res.set_header("Content-Disposition", "attachment; filename=\"llmscope-samples.csv\"");
    res.set_content(SamplesCsv(*samples), "text/csv");
  });
}

}  // namespace llmscope::server
