#include "server/sample_routes.h"

#include <httplib.h>

#include <sstream>

#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "server/sample_window.h"
#include "store/record_csv.h"

namespace llmscope::server {
namespace {

using httplib::Request;
using httplib::Response;

std::string SamplesCsv(const std::vector<Sample>& samples) {
  std::ostringstream csv;
  csv << store::kSamplesCsvHeader;
  store::WriteSampleCsvRows(csv, samples);
  return csv.str();
}

}  // namespace

void RegisterSampleRoutes(httplib::Server& server, store::Store& store, Clock clock) {
  server.Get("/api/export/samples", [&store, clock](const Request& req, Response& res) {
    Result<store::SampleQuery> q = SampleWindow(QueryParams(req.params), false, clock());
    if (!q) return SendError(res, q.error());
    Result<std::vector<Sample>> samples = NewestOfWindow(store, *q);
    if (!samples) return SendError(res, samples.error());
    res.set_header("Content-Disposition", "attachment; filename=\"llmscope-samples.csv\"");
    res.set_content(SamplesCsv(*samples), "text/csv");
  });
}

}  // namespace llmscope::server
