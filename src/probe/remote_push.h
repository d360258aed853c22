// RemotePush: the push path of a remote probe (`llmscope probe --push URL --key KEY`).
// Samples submitted to it go first into a SampleSpool on local disk; a sender thread reads them
// in batches of up to batch_max and POSTs each batch as {"samples": [...]} to URL/api/stats with
// `Authorization: Bearer KEY`. The server stores a batch all or nothing and answers 2xx when it
// is committed; only then does the spool mark the batch acknowledged.
//
// Replies:
// - 2xx: the batch is acknowledged and counted in `sent`.
// - 400, 413 or 422 (the server refused the content): the batch is split in halves and retried
//   until the refused sample stands alone; that sample is then dropped, counted in `rejected`,
//   and the server's error is logged to stderr, so one bad sample never blocks the queue and
//   no good sample is dropped with it.
// - 401, 403, 404 and any other status (a wrong key, URL or server version: the probe's
//   configuration, not the samples): nothing is dropped; the sender retries with backoff and
//   `last_error` says why, so a fixed key or server gets everything spooled meanwhile.
// - 408, 429, 5xx and transport errors (refused, timeout, reset): retried with exponential backoff
//   (1 s doubling, full jitter, capped at retry_max_s), waiting at least Retry-After (seconds)
//   when the server sends it, up to the same cap. New samples wake an idle sender at once but
//   do not cut a backoff short.
//
// Delivery is exactly once: a batch the server committed whose acknowledgement the probe did
// not record (a crash, Stop() during the request, a lost reply) is sent again, but each sample
// carries its spool record's ingest key (sample_spool.h), the same at every resend and restart,
// and the server stores one sample per key: a resent sample is acknowledged with the id it was
// stored under, not stored again (the server's reply counts it in "duplicates"). This needs a
// server that knows "ingest_key" (an older one refuses the field with 400, and every sample
// would be dropped as refused): upgrade the server before its probes. While the server is down
// the spool keeps at most spool_max_bytes, dropping the oldest samples first
// (stats().dropped_oldest).
//
// The key is sent only in the Authorization header and never logged or put in last_error.
//
// Thread-safety: Submit(), stats() and Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "probe/sample_spool.h"

namespace llmscope::probe {

struct RemotePushOptions {
  std::string url;  // server base URL, e.g. http://127.0.0.1:8080
  std::string api_key;
  std::string spool_dir;  // created if missing
  size_t spool_max_bytes = 64 << 20;
  int batch_max = 500;
  double retry_max_s = 30;  // exponential backoff cap
};

class RemotePush {
 public:
  // Opens (or recovers) the spool in options.spool_dir and starts the sender thread, which
  // begins with whatever an earlier run left unsent.
  static Result<std::unique_ptr<RemotePush>> Open(const RemotePushOptions& options);

  // Appends the samples to the spool; ok means they are on disk (fsynced) and will be sent,
  // whatever happens to this process afterwards. After Stop() samples are still spooled, for
  // the next run to send.
  Status Submit(const std::vector<Sample>& samples);

  struct Stats {
    int64_t spooled = 0, sent = 0, dropped_oldest = 0;
    bool server_reachable = false;
    std::string last_error;
    int64_t rejected = 0;  // samples the server refused (400/413/422), dropped
  };
  // spooled: samples waiting in the spool now; sent and rejected: by this run;
  // dropped_oldest: over the spool's life; server_reachable: the latest request got an HTTP
  // reply (of any status); last_error: why the latest failed request failed ("" after a 2xx).
  Stats stats() const;

  // Stops the sender: a request in flight is aborted (within about a second) and its batch
  // stays in the spool. The spool is kept. Idempotent; the destructor calls it.
  void Stop();
  ~RemotePush();

  RemotePush(const RemotePush&) = delete;
  RemotePush& operator=(const RemotePush&) = delete;

 private:
  struct Reply;
  RemotePush(RemotePushOptions options, std::unique_ptr<SampleSpool> spool);
  void Run();
  Reply Post(void* curl, const std::string& body);
  // Sleeps for `seconds` or until Stop(); false when stopping.
  bool Sleep(double seconds);

  const RemotePushOptions options_;
  const std::string endpoint_;  // url + "/api/stats"
  std::unique_ptr<SampleSpool> spool_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool submitted_ = false;  // set by Submit, cleared by the sender: new samples to read
  Stats stats_;             // sent, rejected, server_reachable, last_error
  std::thread sender_;
};

}  // namespace llmscope::probe
