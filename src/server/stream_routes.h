// The live stream for the dashboard:
//
//   GET /api/stream
//     Server-Sent Events: "hello" first, then "sample" (SampleJson), "violation" (ViolationJson
//     with "change": opened | updated | status) and "stage" (StageJson with its series) as the
//     monitor reports them, a ": keep-alive" comment after each `heartbeat` without news, and
//     "shutdown" when the server stops (the stream then ends). A viewer that falls
//     `queue_frames` frames behind is dropped. 503 "too_many_streams" (with Retry-After) when
//     the hub serves its maximum of streams.
//
// BroadcastMonitorEvents turns the monitor's events into those frames; HttpApi calls it from its
// monitor listener.
#pragma once

#include <chrono>
#include <vector>

#include "alert/severity.h"
#include "monitor/series_monitor.h"
#include "server/sse_hub.h"

namespace llmscope::http {
class Router;
}

namespace llmscope::server {

struct StreamLimits {
  int max_streams = 0;  // the hub's cap, named in the 503's message
  std::chrono::milliseconds heartbeat{15000};
  size_t queue_frames = 16384;
};

// `hub` must outlive `router`.
void RegisterStreamRoutes(http::Router& router, SseHub& hub, const StreamLimits& limits);

// Queues each event's frame, encoded once, for every open stream: the batch in one push per
// stream (nothing when none is open).
void BroadcastMonitorEvents(SseHub& hub, const monitor::MonitorBatch& batch,
                            const monitor::SeriesMonitor& monitor,
                            const alert::SeverityOverrides& severities);

}  // namespace llmscope::server
