#include "server/stream_routes.h"

#include "http/router.h"

#include <memory>
#include <string>
#include <vector>

#include "server/http_reply.h"
#include "server/json_views.h"

namespace llmscope::server {

void RegisterStreamRoutes(http::Router& router, SseHub& hub, const StreamLimits& limits) {
  router.Get("/api/stream", [&hub, limits](const http::Request&, http::Response& res) {
    std::shared_ptr<Subscription> sub = hub.Subscribe();
    if (!sub) {
      res.set_header("Retry-After", "5");
      return SendError(res, Error{"too_many_streams", "the server serves at most " +
                                                          std::to_string(limits.max_streams) +
                                                          " streams at once"});
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    http::StreamReply reply;
    reply.first = "retry: 3000\nevent: hello\ndata: {}\n\n";
    reply.idle = ": keep-alive\n\n";
    reply.idle_interval = limits.heartbeat;
    reply.last = SseHub::Frame("shutdown", "{}");
    reply.max_queued = limits.queue_frames;
    reply.opened = [sub](std::shared_ptr<http::EventStream> stream) {
      sub->Attach(std::move(stream));
    };
    res.set_stream("text/event-stream", std::move(reply));
  });
}

void BroadcastMonitorEvents(SseHub& hub, const monitor::MonitorBatch& batch,
                            const monitor::SeriesMonitor& monitor,
                            const alert::SeverityOverrides& severities) {
  if (hub.clients() == 0) return;
  using Kind = monitor::MonitorEvent::Kind;
  std::vector<http::StreamData> frames;
  frames.reserve(batch.samples.size() + batch.events.size());
  auto add = [&frames](const std::string& event, const std::string& data) {
    frames.emplace_back(SseHub::Frame(event, data));
  };
  for (const Sample& sample : batch.samples) add("sample", SampleJson(sample).dump());
  for (const monitor::MonitorEvent& e : batch.events) {
    switch (e.kind) {
      case Kind::kViolationOpened:
      case Kind::kViolationUpdated:
      case Kind::kViolationStatus: {
        Json v = ViolationJson(e.violation, false, severities);
        v["change"] = e.kind == Kind::kViolationOpened    ? "opened"
                      : e.kind == Kind::kViolationUpdated ? "updated"
                                                          : "status";
        add("violation", v.dump());
        break;
      }
      case Kind::kStageChanged: {
        const Json s = StageWithSeriesJson(e.stage, monitor.ChartConfigFor(e.stage.series.metric));
        add("stage", s.dump());
        break;
      }
    }
  }
  hub.Broadcast(frames);
}

}  // namespace llmscope::server
