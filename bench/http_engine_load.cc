// The HTTP engine under hostile and wide loads, against a running `llmscope serve` on 127.0.0.1
// (bounded in connections and seconds):
//
//   http_engine_load slow --key K --pid P [--port 8080] [--clients 1000] [--seconds 20]
//     `clients` connections each send one byte of a request a second (a connection the server
//     closes, at its request deadline, is opened again, so that `clients` are always open),
//     while a normal client alternates GET /health and POST /api/stats, each on a new
//     connection: p50/p99/max of each (a request that failed or took over 5 s is an error), and
//     the server's RSS growth per slow connection (VmRSS with them open, minus before).
//
//   http_engine_load sse --key K --pid P [--port 8080] [--viewers 1000] [--rate 100]
//                        [--seconds 20]
//     `viewers` read /api/stream while samples are posted at `rate`/s, each stamped with the time
//     it was sent: delivery latency p50/p99/max over every (viewer, sample), events each viewer
//     got. One more viewer, with a 4 KB receive buffer, never reads: whether the server dropped
//     it (its connection ended) while the others kept up.
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/time_format.h"

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// kB of VmRSS of process `pid`.
long RssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

void RaiseFileLimit() {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
}

// A TCP connection to 127.0.0.1:port (blocking connect, then non-blocking); -1 on failure.
int Connect(int port, int receive_buffer = 0) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (receive_buffer > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  size_t count = 0;
};

Percentiles Summarize(std::vector<double> v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.p50 = v[v.size() / 2];
  p.p99 = v[std::min(v.size() - 1, v.size() * 99 / 100)];
  p.max = v.back();
  return p;
}

void Print(const std::string& what, const Percentiles& p) {
  std::printf("%-28s n=%-7zu p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", what.c_str(), p.count,
              p.p50, p.p99, p.max);
}

std::string SampleJson(int64_t time_ms, int i) {
  return R"({"provider":"bench","model":"http-engine","latency_ms":)" +
         std::to_string(100 + i % 50) + R"(,"timestamp":")" + llmscope::FormatIsoUtc(time_ms) +
         R"("})";
}

int SlowClients(int port, const std::string& key, int pid, int clients, int seconds) {
  httplib::Client normal("127.0.0.1", port);
  normal.set_bearer_token_auth(key);
  // A new connection per request, as a health check or a probe's push makes it: it must get
  // through while the slow connections are open.
  normal.set_keep_alive(false);
  normal.set_connection_timeout(std::chrono::seconds(5));
  normal.set_read_timeout(std::chrono::seconds(5));
  normal.set_tcp_nodelay(true);  // else its POST waits on Nagle and delayed ACK (~40 ms)
  for (int i = 0; i < 50; ++i) normal.Get("/health");  // warm
  const long rss_before = RssKb(pid);

  // Each slow connection sends this request one byte a second; it never completes.
  const std::string request =
      "POST /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key +
      "\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n" + std::string(64, ' ');
  struct Slow {
    int fd = -1;
    size_t sent = 0;
  };
  std::vector<Slow> slow(static_cast<size_t>(clients));
  size_t reopened = 0, failed = 0;
  for (Slow& s : slow) s.fd = Connect(port);
  std::atomic<bool> running{true};
  std::thread trickle([&] {
    while (running) {
      const auto tick = Clock::now();
      for (Slow& s : slow) {
        bool reopen = s.fd < 0;
        if (!reopen) {
          char buf[512];
          const ssize_t n = recv(s.fd, buf, sizeof buf, 0);
          // Anything back (the 408) or the end: the server is done with it.
          if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) reopen = true;
        }
        if (!reopen && send(s.fd, &request[s.sent % request.size()], 1, MSG_NOSIGNAL) != 1) {
          reopen = true;
        }
        if (reopen) {
          if (s.fd >= 0) close(s.fd);
          s.fd = Connect(port);
          s.sent = 0;
          ++reopened;
          if (s.fd < 0) ++failed;
          continue;
        }
        ++s.sent;
      }
      std::this_thread::sleep_until(tick + std::chrono::seconds(1));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // all connected, a byte or two each

  std::vector<double> health, ingest;
  size_t errors = 0;
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  for (int i = 0; Clock::now() < end; ++i) {
    const auto t0 = Clock::now();
    const bool ok = i % 2 == 0
                        ? static_cast<bool>(normal.Get("/health"))
                        : [&] {
                            auto r = normal.Post("/api/stats", SampleJson(NowMs(), i),
                                                 "application/json");
                            return r && r->status == 200;
                          }();
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!ok) ++errors;
    (i % 2 == 0 ? health : ingest).push_back(ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const long rss_with = RssKb(pid);
  running = false;
  trickle.join();
  size_t open = 0;
  for (Slow& s : slow) {
    if (s.fd >= 0) {
      ++open;
      close(s.fd);
    }
  }
  std::printf("slow connections: %d held (%zu open at the end), %zu reopened after the server's "
              "408, %zu failed to connect\n",
              clients, open, reopened, failed);
  Print("GET /health", Summarize(health));
  Print("POST /api/stats", Summarize(ingest));
  std::printf("errors: %zu\nserver RSS: %ld kB before, %ld kB with them open: %.1f KB per slow "
              "connection\n",
              errors, rss_before, rss_with,
              clients > 0 ? static_cast<double>(rss_with - rss_before) / clients : 0.0);
  return errors == 0 ? 0 : 1;
}

int SseViewers(int port, const std::string& key, int pid, int viewers, int rate, int seconds) {
  const std::string request = "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                              "Bearer " + key + "\r\n\r\n";
  const long rss_before = RssKb(pid);
  std::vector<int> fds;
  for (int i = 0; i < viewers; ++i) {
    const int fd = Connect(port);
    if (fd < 0 || send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
      std::fprintf(stderr, "viewer %d could not connect\n", i);
      return 1;
    }
    fds.push_back(fd);
  }
  const int stalled = Connect(port, 4096);
  send(stalled, request.data(), request.size(), MSG_NOSIGNAL);

  // One thread reads every viewer; a sample event's timestamp is when it was posted.
  std::vector<std::string> partial(fds.size());
  std::vector<size_t> events(fds.size(), 0);
  std::vector<double> latency;
  std::atomic<bool> running{true};
  size_t ended = 0;
  std::thread reader([&] {
    std::vector<pollfd> polls;
    for (int fd : fds) polls.push_back({fd, POLLIN, 0});
    std::vector<char> buf(1 << 16);
    while (running) {
      if (poll(polls.data(), polls.size(), 100) <= 0) continue;
      const int64_t now = NowMs();
      for (size_t i = 0; i < polls.size(); ++i) {
        if (polls[i].revents == 0 || polls[i].fd < 0) continue;
        const ssize_t n = recv(polls[i].fd, buf.data(), buf.size(), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
          polls[i].fd = -1;
          ++ended;
          continue;
        }
        if (n < 0) continue;
        std::string& text = partial[i];
        text.append(buf.data(), static_cast<size_t>(n));
        static const std::string kMark = "event: sample\ndata: ";
        size_t at = 0;
        for (size_t found; (found = text.find(kMark, at)) != std::string::npos;) {
          const size_t line_end = text.find('\n', found + kMark.size());
          if (line_end == std::string::npos) break;
          const size_t ts = text.find("\"timestamp\":\"", found);
          if (ts != std::string::npos && ts < line_end) {
            if (auto sent = llmscope::ParseIsoUtc(std::string_view(text).substr(ts + 13, 24))) {
              latency.push_back(static_cast<double>(now - *sent));
            }
          }
          ++events[i];
          at = line_end + 1;
        }
        text.erase(0, at == 0 ? (text.size() > 4096 ? text.size() - 4096 : 0) : at);
      }
    }
  });

  std::fprintf(stderr, "%d viewers connected\n", viewers);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // every viewer's hello
  const long rss_open = RssKb(pid);
  httplib::Client ingest("127.0.0.1", port);
  ingest.set_bearer_token_auth(key);
  ingest.set_keep_alive(true);
  ingest.set_tcp_nodelay(true);
  size_t posted = 0, errors = 0;
  const auto start = Clock::now();
  const auto period = std::chrono::microseconds(1000000 / std::max(1, rate));
  for (int i = 0; i < rate * seconds; ++i) {
    std::this_thread::sleep_until(start + period * i);
    auto r = ingest.Post("/api/stats", SampleJson(NowMs(), i), "application/json");
    if (r && r->status == 200) {
      ++posted;
    } else {
      ++errors;
    }
  }
  std::fprintf(stderr, "%zu samples posted\n", posted);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the last events arrive
  running = false;
  reader.join();

  // The stalled viewer: read what is buffered; the end of the stream means it was dropped.
  bool dropped = false;
  {
    std::vector<char> buf(1 << 16);
    const auto until = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < until) {
      pollfd p{stalled, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) break;
      const ssize_t n = recv(stalled, buf.data(), buf.size(), 0);
      if (n == 0 || (n < 0 && errno != EAGAIN)) {
        dropped = true;
        break;
      }
    }
    close(stalled);
  }
  for (int fd : fds) close(fd);
  const auto [fewest, most] = std::minmax_element(events.begin(), events.end());
  std::printf("viewers: %d, samples posted: %zu at %d/s (%zu errors), viewers whose stream "
              "ended: %zu\n",
              viewers, posted, rate, errors, ended);
  std::printf("sample events per viewer: fewest %zu, most %zu\n", *fewest, *most);
  Print("delivery latency", Summarize(latency));
  std::printf("stalled viewer dropped by the server: %s\n", dropped ? "yes" : "no");
  std::printf("server RSS: %ld kB before, %ld kB with the viewers open (%.1f KB each)\n",
              rss_before, rss_open,
              viewers > 0 ? static_cast<double>(rss_open - rss_before) / viewers : 0.0);
  return errors == 0 && ended == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("HTTP engine load: slow clients, SSE viewers");
  int port = 8080, pid = 0, seconds = 20;
  std::string key;
  app.add_option("--port", port);
  app.add_option("--key", key)->required();
  app.add_option("--pid", pid, "server pid, for its RSS")->required();
  app.add_option("--seconds", seconds);
  int clients = 1000, viewers = 1000, rate = 100;
  CLI::App* slow = app.add_subcommand("slow", "slow clients beside a normal one");
  slow->add_option("--clients", clients);
  CLI::App* sse = app.add_subcommand("sse", "SSE viewers at an ingest rate");
  sse->add_option("--viewers", viewers);
  sse->add_option("--rate", rate, "samples/s");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  RaiseFileLimit();
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (slow->parsed()) return SlowClients(port, key, pid, clients, seconds);
  return SseViewers(port, key, pid, viewers, rate, seconds);
}
