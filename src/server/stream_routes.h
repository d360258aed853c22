// The live stream for the dashboard:
//
//   GET /api/stream
//     Server-Sent Events: "hello" first, then "sample" (SampleJson), "violation" (ViolationJson
//     with "change": opened | updated | status) and "stage" (StageJson with its series) as the
//     monitor reports them, and a ": keep-alive" comment after each `heartbeat` without news.
//     503 "too_many_streams" (with Retry-After) when the hub serves its maximum of streams.
//
// BroadcastMonitorEvents turns the monitor's events into those frames; HttpApi calls it from its
// monitor listener.
#pragma once

#include <chrono>
#include <vector>

#include "alert/severity.h"
#include "monitor/series_monitor.h"
#include "server/sse_hub.h"

namespace httplib {
class Server;
}

namespace llmscope::server {

// `hub` must outlive `server`; `max_streams` is the hub's cap, named in the 503's message.
void RegisterStreamRoutes(httplib::Server& server, SseHub& hub, int max_streams,
                          std::chrono::milliseconds heartbeat);

// Queues each event's frame for every open stream (nothing when none is open).
void BroadcastMonitorEvents(SseHub& hub, const std::vector<monitor::MonitorEvent>& events,
                            const monitor::SeriesMonitor& monitor,
                            const alert::SeverityOverrides& severities);

}  // namespace llmscope::server
