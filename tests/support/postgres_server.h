// PostgresServer: a real PostgreSQL 15 server that a test binary starts for itself: initdb and
// pg_ctl (Debian's postgresql-15, /usr/lib/postgresql/15/bin, or $LLMSCOPE_PG_BINDIR) on a new
// cluster in a temporary directory, listening on 127.0.0.1 on a free port with its Unix socket in
// that directory, trust authentication for the user "postgres". Stopped (pg_ctl stop -m fast)
// and removed when the object goes.
//
// initdb refuses to run as root. When the test runs as root (CI containers do), every server
// program runs as the Debian user "postgres" (created by the postgresql package) through
// `runuser -u postgres --`, and the temporary directory is given to that user.
//
// PostgresEnvironment: one server per test binary, as a gtest global environment; tests reach it
// through PostgresEnvironment::server(). A test that needs PostgreSQL calls
// RequirePostgres(): where the programs are missing it skips, or fails when the environment
// variable CI is "true" (CI must run every test).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace llmscope::testing {

class PostgresServer {
 public:
  // Settings passed to the server with -c (name=value), e.g. "fsync=off".
  struct Options {
    std::vector<std::string> settings;
  };

  // The directory of initdb and pg_ctl: $LLMSCOPE_PG_BINDIR or /usr/lib/postgresql/15/bin.
  static std::string BinDir();
  // Whether the server can be started here; when not, `why` says what is missing.
  static bool Available(std::string* why);

  // Creates and starts a new cluster. nullptr, with `error` (and the server's log), on failure.
  static std::unique_ptr<PostgresServer> Start(const Options& options, std::string* error);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Stops the server (pg_ctl stop -m fast: sessions are ended) and starts it again on the same
  // port and data. False, with `error`, on failure.
  bool Restart(std::string* error);

  // Creates the database `name` ([a-z0-9_]+). False, with `error`, when it cannot, or exists.
  bool CreateDatabase(const std::string& name, std::string* error);
  // postgres://postgres@127.0.0.1:PORT/DATABASE
  std::string Url(const std::string& database) const;
  int port() const { return port_; }

 private:
  PostgresServer() = default;
  // Runs a server program (as "postgres" when root). Its output, and whether it exited 0.
  bool RunProgram(const std::vector<std::string>& args, std::string* output) const;
  bool StartServer(std::string* error);
  bool StopServer(std::string* error);
  std::string Log() const;

  std::string root_;  // temporary directory: data/, the socket, server.log
  Options options_;
  int port_ = 0;
  bool running_ = false;
};

// One server for the whole test binary (register with ::testing::AddGlobalTestEnvironment).
class PostgresEnvironment : public ::testing::Environment {
 public:
  explicit PostgresEnvironment(PostgresServer::Options options = {}) : options_(options) {}
  void SetUp() override;
  void TearDown() override;

  // The running server; null when PostgreSQL is missing or failed to start (see why()).
  static PostgresServer* server();
  static const std::string& why();
  // Whether a missing PostgreSQL must fail the tests: the environment variable CI is "true".
  static bool Required();

 private:
  PostgresServer::Options options_;
};

// A fresh database name for one test: "t_" and a counter, unique within the server.
std::string NextDatabaseName();

}  // namespace llmscope::testing

// In a test body or SetUp: skips the test when PostgreSQL is missing (fails it when CI=true, or
// when the programs are here but the server did not start).
#define LLMSCOPE_REQUIRE_POSTGRES()                                                      \
  do {                                                                                   \
    if (::llmscope::testing::PostgresEnvironment::server() == nullptr) {                 \
      if (::llmscope::testing::PostgresEnvironment::Required() ||                        \
          ::llmscope::testing::PostgresServer::Available(nullptr)) {                     \
        FAIL() << "PostgreSQL: " << ::llmscope::testing::PostgresEnvironment::why();     \
      }                                                                                  \
      GTEST_SKIP() << "PostgreSQL: " << ::llmscope::testing::PostgresEnvironment::why(); \
    }                                                                                    \
  } while (false)
