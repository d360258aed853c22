// The fake provider server as a program, for tests in other languages (tests/proxy_js): listens
// on 127.0.0.1 (a free port, or --port), prints "port N" on stdout, and serves every request with
// one script until its stdin closes (its parent is gone) or SIGTERM. Each line it reads on stdin
// is answered on stdout with one JSON line: the latest request's path and when the fake actually
// sent its first token and last byte ({"path", "first_token_sent_ms", "last_byte_sent_ms"}).
//   fake_provider_server [--port N] [--first-token-ms MS] [--per-token-ms MS] [--tokens N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "fakes/fake_provider_server.h"

int main(int argc, char** argv) {
  llmscope::testing::Script script;
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--port") {
      port = value;
    } else if (flag == "--first-token-ms") {
      script.first_token_delay = std::chrono::milliseconds(value);
    } else if (flag == "--per-token-ms") {
      script.per_token_delay = std::chrono::milliseconds(value);
    } else if (flag == "--tokens") {
      script.tokens = value;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  llmscope::testing::FakeProviderServer fake;
  if (!fake.Start(port)) return 1;
  fake.SetScript(script);
  std::printf("port %d\n", fake.port());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
    const llmscope::testing::RecordedRequest r = fake.last_request();
    std::printf("{\"path\":\"%s\",\"first_token_sent_ms\":%.3f,\"last_byte_sent_ms\":%.3f}\n",
                r.path.c_str(), r.first_token_sent_ms, r.last_byte_sent_ms);
    std::fflush(stdout);
  }
  fake.Stop();
  return 0;
}
