#!/usr/bin/env bash
# Installs, from Debian 12's packages, everything LLMscope needs to build and test.
# Idempotent: packages already present are left as they are. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config  # compiler and build
  libgtest-dev libgmock-dev         # unit tests (GoogleTest through CTest)
  libbenchmark-dev                  # bench/ programs (Google Benchmark)
  nlohmann-json3-dev                # JSON in and out
  libsimdjson-dev                   # POST /api/stats bodies (simdjson's DOM parser)
  libcli11-dev                      # command-line parsing
  libsqlite3-dev                    # the embedded store (SQLite, WAL)
  libboost1.81-dev                  # the HTTP server: Boost.Beast and Boost.Asio (header-only)
  zlib1g-dev                        # gzip replies
  libcpp-httplib-dev                # the tests' and bench's HTTP client, the fake servers
  libtomlplusplus-dev               # the TOML config file
  libcurl4-openssl-dev              # the probe's HTTP client (providers' APIs)
  libpq-dev                         # the PostgreSQL store (libpq)
  libprotobuf-dev protobuf-compiler # OTLP ingest: the OTLP messages (protoc, libprotobuf)
  postgresql                        # PostgreSQL 15 server the tests start (initdb, pg_ctl)
  libssl-dev                        # alerting: HMAC-SHA256 webhook signatures (libcrypto);
                                    # the proxy's HTTPS upstreams (libssl)
  libboost1.81-dev                  # the proxy: Boost.Beast/Asio (headers only)
  zlib1g-dev libbrotli-dev          # the proxy reads gzip/deflate/br replies to measure them
  python3-aiosmtpd openssl          # alerting tests: a real SMTP server, its TLS certificate
  prometheus-alertmanager           # alerting tests: a real Alertmanager (started by the test)
  clang libclang-rt-14-dev          # libFuzzer targets (tests/fuzz, scripts/fuzz.sh)
  chromium                          # the dashboard's end-to-end tests and bench (web/)
  prometheus                        # deploy/: promtool and a Prometheus server for the tests
  systemd dpkg-dev                  # deploy/: systemd-analyze verify; cpack's dpkg-shlibdeps
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian's prometheus and prometheus-alertmanager packages may start their own services: the
# tests start their own servers on free ports.
if command -v systemctl >/dev/null; then
  for service in prometheus prometheus-alertmanager; do
    if systemctl is-enabled --quiet "$service" 2>/dev/null || systemctl is-active --quiet "$service" 2>/dev/null; then
      $SUDO systemctl disable --now "$service" || true
    fi
  done
fi
