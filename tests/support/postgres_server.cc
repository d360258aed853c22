// PostgresServer and PostgresEnvironment (see postgres_server.h). Every wait is bounded:
// pg_ctl -w -t 60.
#include "support/postgres_server.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/server_process.h"

extern char** environ;

namespace llmscope::testing {
namespace {

constexpr const char* kDefaultBinDir = "/usr/lib/postgresql/15/bin";
constexpr const char* kRunuser = "/usr/sbin/runuser";
constexpr const char* kServerUser = "postgres";

bool RunningAsRoot() {
  return geteuid() == 0;
}

bool IsFile(const std::string& path) {
  return std::filesystem::is_regular_file(path);
}

std::unique_ptr<PostgresServer>& SharedServer() {
  static std::unique_ptr<PostgresServer> server;
  return server;
}

std::string& SharedWhy() {
  static std::string why;
  return why;
}

}  // namespace

std::string PostgresServer::BinDir() {
  const char* dir = getenv("LLMSCOPE_PG_BINDIR");
  return dir != nullptr && *dir != '\0' ? dir : kDefaultBinDir;
}

bool PostgresServer::Available(std::string* why) {
  std::string missing;
  for (const char* program : {"initdb", "pg_ctl", "postgres"}) {
    if (!IsFile(BinDir() + "/" + program)) missing += BinDir() + "/" + program + " not found; ";
  }
  if (RunningAsRoot()) {
    if (!IsFile(kRunuser)) missing += std::string(kRunuser) + " not found; ";
    if (getpwnam(kServerUser) == nullptr) missing += "no user 'postgres' to run the server as; ";
  }
  if (!missing.empty() && why != nullptr) {
    *why = missing + "install Debian's postgresql package (scripts/install-deps.sh)";
  }
  return missing.empty();
}

bool PostgresServer::RunProgram(const std::vector<std::string>& args, std::string* output) const {
  std::vector<std::string> argv;
  if (RunningAsRoot()) argv = {kRunuser, "-u", kServerUser, "--"};
  argv.push_back(BinDir() + "/" + args.front());
  argv.insert(argv.end(), args.begin() + 1, args.end());
  // Output to a file, not a pipe: the server pg_ctl starts would hold a pipe open for its life.
  const std::string out_path = root_ + "/program.out";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> cargs;
  for (const std::string& a : argv) cargs.push_back(const_cast<char*>(a.c_str()));
  cargs.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, cargs[0], &actions, nullptr, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (rc == 0) waitpid(pid, &status, 0);
  if (output != nullptr) {
    std::ifstream in(out_path);
    std::stringstream text;
    text << in.rdbuf();
    *output = rc == 0 ? text.str() : "cannot start " + argv.front();
  }
  return rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string PostgresServer::Log() const {
  std::ifstream in(root_ + "/server.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::unique_ptr<PostgresServer> PostgresServer::Start(const Options& options, std::string* error) {
  if (!Available(error)) return nullptr;
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->options_ = options;
  char tmpl[] = "/tmp/llmscope-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    *error = "mkdtemp failed";
    return nullptr;
  }
  server->root_ = tmpl;
  if (RunningAsRoot()) {
    const passwd* pw = getpwnam(kServerUser);
    if (chown(tmpl, pw->pw_uid, pw->pw_gid) != 0) {
      *error = "cannot give " + server->root_ + " to the postgres user";
      return nullptr;
    }
  }
  std::string output;
  if (!server->RunProgram({"initdb", "-D", server->root_ + "/data", "-U", "postgres", "-A", "trust",
                           "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                          &output)) {
    *error = "initdb failed: " + output;
    return nullptr;
  }
  // A port that was free a moment ago may be taken by the time the server binds it: retry.
  for (int attempt = 0; attempt < 3; ++attempt) {
    server->port_ = PickFreePort();
    if (server->StartServer(error)) return server;
  }
  return nullptr;
}

bool PostgresServer::StartServer(std::string* error) {
  std::string settings = "-p " + std::to_string(port_) + " -k " + root_ +
                         " -c listen_addresses=127.0.0.1 -c max_connections=200";
  for (const std::string& s : options_.settings) settings += " -c " + s;
  std::string output;
  if (!RunProgram({"pg_ctl", "-D", root_ + "/data", "-l", root_ + "/server.log", "-w", "-t", "60",
                   "-o", settings, "start"},
                  &output)) {
    *error = "pg_ctl start failed: " + output + "\nserver log:\n" + Log();
    return false;
  }
  running_ = true;
  return true;
}

bool PostgresServer::StopServer(std::string* error) {
  std::string output;
  if (!RunProgram({"pg_ctl", "-D", root_ + "/data", "-m", "fast", "-w", "-t", "60", "stop"},
                  &output)) {
    if (error != nullptr) *error = "pg_ctl stop failed: " + output;
    return false;
  }
  running_ = false;
  return true;
}

bool PostgresServer::Restart(std::string* error) {
  return StopServer(error) && StartServer(error);
}

PostgresServer::~PostgresServer() {
  if (running_) StopServer(nullptr);
  std::error_code ec;
  if (!root_.empty()) std::filesystem::remove_all(root_, ec);
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

bool PostgresServer::CreateDatabase(const std::string& name, std::string* error) {
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      *error = "database name '" + name + "' is not [a-z0-9_]+";
      return false;
    }
  }
  PGconn* conn = PQconnectdb(Url("postgres").c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    // The name was checked above: an identifier cannot be a parameter.
    PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) *error = PQresultErrorMessage(r);
    PQclear(r);
  } else {
    *error = PQerrorMessage(conn);
  }
  PQfinish(conn);
  return ok;
}

std::string NextDatabaseName() {
  static std::atomic<int> next{0};
  return "t_" + std::to_string(getpid()) + "_" + std::to_string(next++);
}

void PostgresEnvironment::SetUp() {
  std::string why;
  SharedServer() = PostgresServer::Start(options_, &why);
  SharedWhy() = why;
}

void PostgresEnvironment::TearDown() {
  SharedServer().reset();
}

PostgresServer* PostgresEnvironment::server() {
  return SharedServer().get();
}

const std::string& PostgresEnvironment::why() {
  return SharedWhy();
}

bool PostgresEnvironment::Required() {
  const char* ci = getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace llmscope::testing
