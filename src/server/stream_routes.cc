#include "server/stream_routes.h"

#include <httplib.h>

#include <memory>
#include <optional>
#include <string>

#include "server/http_reply.h"
#include "server/json_views.h"

namespace llmscope::server {

void RegisterStreamRoutes(httplib::Server& server, SseHub& hub, int max_streams,
                          std::chrono::milliseconds heartbeat) {
  server.Get("/api/stream", [&hub, max_streams, heartbeat](const httplib::Request&,
                                                           httplib::Response& res) {
    std::shared_ptr<Subscription> sub = hub.Subscribe();
    if (!sub) {
      res.set_header("Retry-After", "5");
      return SendError(
          res, Error{"too_many_streams", "the server serves at most " +
                                             std::to_string(max_streams) + " streams at once"});
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    bool greeted = false;
    res.set_chunked_content_provider(
        "text/event-stream", [sub, heartbeat, greeted](size_t, httplib::DataSink& sink) mutable {
          if (!greeted) {
            greeted = true;
            const std::string hello = "retry: 3000\nevent: hello\ndata: {}\n\n";
            return sink.write(hello.data(), hello.size());
          }
          std::optional<std::string> frames = sub->Next(heartbeat);
          if (!frames) {
            sink.done();
            return false;
          }
          const std::string out = frames->empty() ? std::string(": keep-alive\n\n") : *frames;
          return sink.write(out.data(), out.size());
        });
  });
}

void BroadcastMonitorEvents(SseHub& hub, const std::vector<monitor::MonitorEvent>& events,
                            const monitor::SeriesMonitor& monitor,
                            const alert::SeverityOverrides& severities) {
  if (hub.clients() == 0) return;
  using Kind = monitor::MonitorEvent::Kind;
  for (const monitor::MonitorEvent& e : events) {
    switch (e.kind) {
      case Kind::kSample:
        hub.Broadcast(SseHub::Frame("sample", SampleJson(e.sample).dump()));
        break;
      case Kind::kViolationOpened:
      case Kind::kViolationUpdated:
      case Kind::kViolationStatus: {
        Json v = ViolationJson(e.violation, false, severities);
        v["change"] = e.kind == Kind::kViolationOpened    ? "opened"
                      : e.kind == Kind::kViolationUpdated ? "updated"
                                                          : "status";
        hub.Broadcast(SseHub::Frame("violation", v.dump()));
        break;
      }
      case Kind::kStageChanged: {
        const Json s = StageWithSeriesJson(e.stage, monitor.ChartConfigFor(e.stage.series.metric));
        hub.Broadcast(SseHub::Frame("stage", s.dump()));
        break;
      }
    }
  }
}

}  // namespace llmscope::server
