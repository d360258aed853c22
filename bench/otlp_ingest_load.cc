// A bounded OTLP ingest load on a running `llmscope serve` over loopback: POST /v1/traces with
// --batch GenAI spans per request (OTLP protobuf, or OTLP/JSON with --json), from --connections
// keep-alive connections, --requests in all. Every span is a distinct LLM call (its own ids, so
// none is a duplicate) of one of 4 models, with tokens and a TTFT attribute. The requests are
// built before the clock starts; the figure is spans stored per second (each reply a 200 with no
// refused span), with the request latency p50/p99. Exit code 1 when any request failed.
//
//   ./build/bench/otlp_ingest_load --base http://127.0.0.1:8080 --key KEY --batch 500
//       --connections 2 --requests 400 [--json]
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/otlp_codec.h"

namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using opentelemetry::proto::common::v1::KeyValue;

void SetString(google::protobuf::RepeatedPtrField<KeyValue>& a, const char* key,
               const std::string& value) {
  KeyValue* kv = a.Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

std::string Id(uint64_t high, uint64_t low, size_t bytes) {
  std::string id(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) {
    const uint64_t word = i < 8 ? high : low;
    id[i] = static_cast<char>(word >> (8 * (i % 8)));
  }
  return id;
}

// Request `r` of the run `run`: `batch` chat spans ending in the last minute.
ExportTraceServiceRequest BuildRequest(uint64_t run, int r, int batch, std::mt19937_64& rng) {
  static const char* kModels[] = {"gpt-4o-mini", "gpt-4o", "llama3", "claude-3-5-haiku"};
  std::normal_distribution<double> noise(0.0, 0.1);
  const auto now_ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  ExportTraceServiceRequest request;
  auto* rs = request.add_resource_spans();
  SetString(*rs->mutable_resource()->mutable_attributes(), "service.name", "bench-app");
  auto* spans = rs->add_scope_spans();
  spans->mutable_scope()->set_name("bench");
  for (int i = 0; i < batch; ++i) {
    auto* span = spans->add_spans();
    span->set_trace_id(Id(run, static_cast<uint64_t>(r) * 100000 + i, 16));
    span->set_span_id(Id(static_cast<uint64_t>(r) * 100000 + i + 1, 0, 8));
    span->set_name("chat");
    const double e2e_ms = 1500 * std::exp(noise(rng));
    const uint64_t end = now_ns - static_cast<uint64_t>(60'000 - i) * 1'000'000;
    span->set_end_time_unix_nano(end);
    span->set_start_time_unix_nano(end - static_cast<uint64_t>(e2e_ms * 1e6));
    auto& a = *span->mutable_attributes();
    SetString(a, "gen_ai.operation.name", "chat");
    SetString(a, "gen_ai.provider.name", i % 4 == 2 ? "ollama" : "openai");
    SetString(a, "gen_ai.request.model", kModels[i % 4]);
    KeyValue* in = a.Add();
    in->set_key("gen_ai.usage.input_tokens");
    in->mutable_value()->set_int_value(120 + i % 50);
    KeyValue* out = a.Add();
    out->set_key("gen_ai.usage.output_tokens");
    out->mutable_value()->set_int_value(300);
    KeyValue* ttft = a.Add();
    ttft->set_key("gen_ai.server.time_to_first_token");
    ttft->mutable_value()->set_double_value(0.2 * std::exp(noise(rng)));
  }
  return request;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"OTLP ingest load: POST /v1/traces batches of GenAI spans"};
  std::string base = "http://127.0.0.1:8080", key;
  int batch = 500, connections = 2, requests = 400;
  bool json = false;
  app.add_option("--base", base);
  app.add_option("--key", key)->required();
  app.add_option("--batch", batch)->check(CLI::Range(1, 100000));
  app.add_option("--connections", connections)->check(CLI::Range(1, 256));
  app.add_option("--requests", requests, "in all")->check(CLI::Range(1, 1000000));
  app.add_flag("--json", json, "OTLP/JSON instead of protobuf");
  CLI11_PARSE(app, argc, argv);

  const auto encoding = json ? llmscope::otlp::OtlpEncoding::kJson
                             : llmscope::otlp::OtlpEncoding::kProtobuf;
  const std::string content_type(llmscope::otlp::ContentTypeOf(encoding));
  std::mt19937_64 rng(42);
  const uint64_t run = std::random_device{}();  // ids of this run only: no span is a resend
  std::vector<std::string> bodies;
  bodies.reserve(requests);
  size_t bytes = 0;
  for (int r = 0; r < requests; ++r) {
    bodies.push_back(llmscope::otlp::EncodeMessage(BuildRequest(run, r, batch, rng), encoding));
    bytes += bodies.back().size();
  }

  std::atomic<int> next{0};
  std::atomic<int64_t> errors{0};
  std::vector<std::vector<double>> latencies(connections);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client(base);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(60, 0);
      client.set_bearer_token_auth(key);
      for (int r; (r = next++) < requests;) {
        const auto start = std::chrono::steady_clock::now();
        auto res = client.Post("/v1/traces", bodies[r], content_type);
        latencies[c].push_back(std::chrono::duration<double, std::milli>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
        ExportTraceServiceResponse reply;
        if (!res || res->status != 200 ||
            !llmscope::otlp::DecodeMessage(res->body, encoding, reply) ||
            reply.partial_success().rejected_spans() != 0) {
          if (errors++ == 0 && res) {
            std::fprintf(stderr, "first failure: %d %s\n", res->status, res->body.c_str());
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  const double spans = static_cast<double>(requests) * batch;
  std::printf(
      "{\"encoding\": \"%s\", \"batch\": %d, \"connections\": %d, \"requests\": %d, "
      "\"bytes_per_request\": %zu, \"seconds\": %.2f, \"spans_per_s\": %.0f, \"p50_ms\": %.1f, "
      "\"p99_ms\": %.1f, \"errors\": %lld}\n",
      json ? "json" : "protobuf", batch, connections, requests, bytes / bodies.size(), seconds,
      spans / seconds, pct(0.5), pct(0.99), static_cast<long long>(errors.load()));
  return errors == 0 ? 0 : 1;
}
