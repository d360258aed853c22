#include "probe/remote_push.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <random>

namespace llmscope::probe {
namespace {

constexpr long kConnectTimeoutMs = 5000;
constexpr long kRequestTimeoutMs = 30000;
constexpr size_t kMaxReplyBytes = 64 * 1024;
constexpr size_t kMaxLoggedBytes = 1000;

size_t CollectBody(char* data, size_t size, size_t count, void* out) {
  std::string& body = *static_cast<std::string*>(out);
  const size_t n = size * count;
  body.append(data, std::min(n, kMaxReplyBytes - std::min(kMaxReplyBytes, body.size())));
  return n;
}

// Aborts a transfer in flight once Stop() was called (curl calls this about once a second).
int AbortOnStop(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(stop)->load() ? 1 : 0;
}

// The server's reply as one printable line, bounded.
std::string Printable(const std::string& text) {
  std::string out = text.substr(0, kMaxLoggedBytes);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

bool Refused(long status) { return status == 400 || status == 413 || status == 422; }

}  // namespace

struct RemotePush::Reply {
  long status = 0;           // 0: no HTTP reply (see transport_error)
  std::string body;
  double retry_after_s = 0;  // from Retry-After, 0 when absent
  std::string transport_error;
};

Result<std::unique_ptr<RemotePush>> RemotePush::Open(const RemotePushOptions& options) {
  if (options.url.empty()) return Error{"invalid_argument", "push URL is empty"};
  if (options.batch_max < 1) return Error{"invalid_argument", "batch_max must be >= 1"};
  if (!(options.retry_max_s > 0)) return Error{"invalid_argument", "retry_max_s must be > 0"};
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global_init != CURLE_OK) {
    return Error{"http_client", std::string("libcurl: ") + curl_easy_strerror(global_init)};
  }
  Result<std::unique_ptr<SampleSpool>> spool =
      SampleSpool::Open(options.spool_dir, options.spool_max_bytes);
  if (!spool) return spool.error();
  std::unique_ptr<RemotePush> push(new RemotePush(options, std::move(*spool)));
  push->sender_ = std::thread([p = push.get()] { p->Run(); });
  return push;
}

RemotePush::RemotePush(RemotePushOptions options, std::unique_ptr<SampleSpool> spool)
    : options_(std::move(options)),
      endpoint_((options_.url.ends_with('/') ? options_.url.substr(0, options_.url.size() - 1)
                                               : options_.url) +
                "/api/stats"),
      spool_(std::move(spool)) {}

RemotePush::~RemotePush() { Stop(); }

void RemotePush::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (sender_.joinable()) sender_.join();
}

Status RemotePush::Submit(const std::vector<Sample>& samples) {
  if (Status s = spool_->Append(samples); !s) return s;
  {
    std::lock_guard lock(mu_);
    submitted_ = true;
  }
  wake_.notify_all();
  return {};
}

RemotePush::Stats RemotePush::stats() const {
  Stats out;
  {
    std::lock_guard lock(mu_);
    out = stats_;
  }
  out.spooled = spool_->pending();
  out.dropped_oldest = spool_->dropped_oldest();
  return out;
}

bool RemotePush::Sleep(double seconds) {
  std::unique_lock lock(mu_);
  wake_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stop_.load(); });
  return !stop_;
}

RemotePush::Reply RemotePush::Post(void* handle, const std::string& body) {
  CURL* curl = static_cast<CURL*>(handle);
  Reply reply;
  const std::string auth = "Authorization: Bearer " + options_.api_key;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, endpoint_.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, AbortOnStop);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stop_);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK) {
      reply.retry_after_s = static_cast<double>(retry_after);
    }
  } else {
    reply.transport_error = error[0] != '\0' ? error : curl_easy_strerror(rc);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);
  return reply;
}

void RemotePush::Run() {
  CURL* curl = curl_easy_init();
  std::mt19937_64 rng(std::random_device{}());
  int limit = options_.batch_max;  // halved to isolate a refused sample, then grows back
  int failures = 0;                // consecutive failed attempts, for the backoff
  auto backoff = [&](const std::string& why, double retry_after_s, bool reachable) {
    {
      std::lock_guard lock(mu_);
      stats_.server_reachable = reachable;
      stats_.last_error = why;
    }
    const double base = std::min(options_.retry_max_s, std::ldexp(1.0, std::min(failures, 30)));
    ++failures;
    const double jittered = std::uniform_real_distribution<double>(base / 2, base)(rng);
    return Sleep(std::min(options_.retry_max_s, std::max(jittered, retry_after_s)));
  };
  while (!stop_) {
    if (curl == nullptr) {
      if (!backoff("libcurl: cannot create a handle", 0, false)) break;
      curl = curl_easy_init();
      continue;
    }
    Result<SpoolBatch> batch = spool_->Peek(limit);
    if (!batch) {
      if (!backoff("spool: " + batch.error().message, 0, false)) break;
      continue;
    }
    if (batch->empty()) {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stop_ || submitted_; });
      submitted_ = false;
      continue;
    }
    std::string body = "{\"samples\":[";
    for (size_t i = 0; i < batch->records.size(); ++i) {
      if (i > 0) body += ',';
      body += batch->records[i];
    }
    body += "]}";
    const Reply reply = Post(curl, body);
    if (stop_ && reply.status == 0) break;  // aborted: says nothing about the server
    const int64_t n = static_cast<int64_t>(batch->records.size());
    if (reply.status >= 200 && reply.status < 300) {
      if (Status s = spool_->Commit(*batch); !s) {
        if (!backoff("spool: " + s.error().message, 0, true)) break;
        continue;
      }
      failures = 0;
      limit = std::min(options_.batch_max, limit * 2);
      std::lock_guard lock(mu_);
      stats_.sent += n;
      stats_.server_reachable = true;
      stats_.last_error.clear();
      continue;
    }
    if (Refused(reply.status)) {
      if (n > 1) {  // find the refused sample: retry the first half
        limit = static_cast<int>(n / 2);
        continue;
      }
      std::cerr << "llmscope probe: the server refused a sample (HTTP " << reply.status
                << "), dropped: " << Printable(reply.body) << std::endl;
      if (Status s = spool_->Commit(*batch); !s) {
        if (!backoff("spool: " + s.error().message, 0, true)) break;
        continue;
      }
      failures = 0;
      std::lock_guard lock(mu_);
      stats_.rejected += 1;
      stats_.server_reachable = true;
      stats_.last_error = "HTTP " + std::to_string(reply.status) + ": " + Printable(reply.body);
      continue;
    }
    const std::string why = reply.status == 0
                                ? "cannot reach " + endpoint_ + ": " + reply.transport_error
                                : "HTTP " + std::to_string(reply.status) + " from " + endpoint_ +
                                      ": " + Printable(reply.body);
    if (!backoff(why, reply.retry_after_s, reply.status != 0)) break;
  }
  if (curl != nullptr) curl_easy_cleanup(curl);
}

}  // namespace llmscope::probe
