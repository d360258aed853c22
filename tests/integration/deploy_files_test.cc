// The deployment files of deploy/ against the real binary and the real Debian tools.
// No Docker engine runs here, so the container files are checked by what can be
// run: the Dockerfile's build stage runs the repository's own scripts, its runtime stage installs
// a package for every shared library the built binary needs, and the commands of the image, of
// compose.yaml and of the systemd unit start a real server or push from a real probe. The unit
// passes `systemd-analyze verify` and its offline security review; `cpack -G DEB` builds a
// package whose contents and metadata are read back with dpkg-deb.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/external_program.h"
#include "support/server_process.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace llmscope::testing {
namespace {

using json = nlohmann::json;

const std::string kSourceDir = LLMSCOPE_SOURCE_DIR;
const std::string kDeployDir = kSourceDir + "/deploy";
const std::string kImageConfig = "/etc/llmscope/llmscope.toml";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The first capture group of the first match of `pattern` in `text`; "" when none.
std::string Capture(const std::string& text, const std::string& pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : "";
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The Dockerfile's stages: the text from each FROM to the next.
struct Dockerfile {
  std::string build, runtime;
};
Dockerfile ReadDockerfile() {
  // Continuation lines joined, so each instruction is one line.
  const std::string text =
      std::regex_replace(ReadFile(kDeployDir + "/Dockerfile"), std::regex(R"(\\\n\s*)"), " ");
  const size_t runtime = text.find("\nFROM debian:12-slim");
  if (runtime == std::string::npos) return {};
  return {text.substr(0, runtime), text.substr(runtime)};
}

// An exec-form instruction's arguments (CMD ["a", "b"]) or a compose `command: [...]`.
std::vector<std::string> JsonArgs(const std::string& text, const std::string& prefix) {
  const std::string array = Capture(text, prefix + R"(\s*(\[[^\n]*\]))");
  return array.empty() ? std::vector<std::string>{}
                       : json::parse(array).get<std::vector<std::string>>();
}

// The block of service `name` in compose.yaml: from "  name:" to the next blank line.
std::string ComposeService(const std::string& name) {
  const std::string compose = ReadFile(kDeployDir + "/compose.yaml");
  const size_t at = compose.find("\n  " + name + ":\n");
  if (at == std::string::npos) return "";
  const size_t end = compose.find("\n\n", at);
  return compose.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

TEST(DeployFilesTest, DockerfileBuildsWithTheRepositoryScripts) {
  const Dockerfile d = ReadDockerfile();
  ASSERT_FALSE(d.runtime.empty()) << "no runtime stage FROM debian:12-slim";
  EXPECT_NE(d.build.find("FROM debian:12 AS build"), std::string::npos);
  // The build stage runs what CI runs (scripts/build.sh, which runs scripts/install-deps.sh)
  // and the install rules the .deb uses.
  EXPECT_NE(d.build.find("RUN bash scripts/build.sh"), std::string::npos) << d.build;
  EXPECT_NE(ReadFile(kSourceDir + "/scripts/build.sh").find("bash scripts/install-deps.sh"),
            std::string::npos);
  EXPECT_NE(d.build.find("cmake --install build --prefix /usr"), std::string::npos) << d.build;
  // The dashboard is built by build_web.sh's commands on a Node.js new enough for Vite 7, and
  // its dist/ is embedded by the build stage.
  const std::string build_web = ReadFile(kSourceDir + "/scripts/build_web.sh");
  for (const char* command : {"npm ci --no-audit --no-fund", "npm run build"}) {
    EXPECT_NE(d.build.find(std::string("RUN ") + command), std::string::npos) << command;
    EXPECT_NE(build_web.find(command), std::string::npos) << command;
  }
  EXPECT_NE(d.build.find("COPY --from=web /src/web/dist web/dist"), std::string::npos);

  // The runtime stage: a non-root user, the volume is the service config's data_dir, the port
  // is the one it listens on, and the health check asks /health there.
  const std::string user = Capture(d.runtime, R"(\nUSER (\S+))");
  EXPECT_FALSE(user.empty());
  EXPECT_NE(user, "root");
  EXPECT_NE(user, "0");
  const std::string data_dir =
      Capture(ReadFile(kDeployDir + "/llmscope.toml"), R"(\ndata_dir = "([^"]+)\")");
  EXPECT_EQ(Capture(d.runtime, R"(\nVOLUME (\S+))"), data_dir);
  const std::string port = Capture(d.runtime, R"(\nENV LLMSCOPE_SERVER_LISTEN=0\.0\.0\.0:(\d+))");
  EXPECT_FALSE(port.empty()) << d.runtime;
  EXPECT_EQ(Capture(d.runtime, R"(\nEXPOSE (\d+))"), port);
  EXPECT_NE(Capture(d.runtime, R"(\nHEALTHCHECK [^\n]*(http://127\.0\.0\.1:\d+/health))"), "");
  EXPECT_NE(d.runtime.find(":" + port + "/health"), std::string::npos);
}

// debian:12-slim has these (apt needs them); a sanitized build's runtimes are not shipped.
bool InBaseImageOrSanitizer(const std::string& soname) {
  for (const char* prefix : {"libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "libasan.so",
                             "libubsan.so", "ld-linux"}) {
    if (soname.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

TEST(DeployFilesTest, DockerRuntimeInstallsAPackageForEveryLibraryTheBinaryNeeds) {
  LLMSCOPE_REQUIRE_PROGRAM(readelf, "readelf", "binutils");
  LLMSCOPE_REQUIRE_PROGRAM(dpkg, "dpkg", "dpkg");
  const Dockerfile d = ReadDockerfile();
  const std::string install =
      Capture(d.runtime, R"(apt-get install -y --no-install-recommends ([^&]+)&&)");
  ASSERT_FALSE(install.empty()) << d.runtime;
  const std::vector<std::string> listed = Words(install);
  const std::set<std::string> runtime_packages(listed.begin(), listed.end());
  EXPECT_TRUE(runtime_packages.contains("curl")) << "the HEALTHCHECK runs curl";

  const CommandResult elf = RunCommand({readelf, "-d", LLMSCOPE_BINARY});
  ASSERT_EQ(elf.exit_code, 0) << elf.err;
  const std::regex needed(R"(\(NEEDED\)\s+Shared library: \[([^\]]+)\])");
  int checked = 0;
  for (auto it = std::sregex_iterator(elf.out.begin(), elf.out.end(), needed);
       it != std::sregex_iterator(); ++it) {
    const std::string soname = (*it)[1];
    if (InBaseImageOrSanitizer(soname)) continue;
    ++checked;
    // "libcurl4:amd64: /usr/lib/x86_64-linux-gnu/libcurl.so.4": the packages before the path.
    const CommandResult owner = RunCommand({dpkg, "-S", "*/" + soname});
    ASSERT_EQ(owner.exit_code, 0) << soname << ": " << owner.err;
    bool listed_one = false;
    std::istringstream lines(owner.out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream packages(line.substr(0, line.find(": ")));
      for (std::string p; std::getline(packages, p, ',');) {
        p.erase(0, p.find_first_not_of(' '));
        listed_one = listed_one || runtime_packages.contains(p.substr(0, p.find(':')));
      }
    }
    EXPECT_TRUE(listed_one) << soname << " (" << owner.out << ") has no package in the runtime "
                            << "stage's apt-get install: " << install;
  }
  EXPECT_GE(checked, 3) << elf.out;
}

TEST(DeployFilesTest, ImageComposeAndUnitStartTheServerWithTheDeployedConfig) {
  const Dockerfile d = ReadDockerfile();
  EXPECT_EQ(JsonArgs(d.runtime, "\nENTRYPOINT"), std::vector<std::string>{"/usr/bin/llmscope"});
  std::vector<std::string> command = JsonArgs(d.runtime, "\nCMD");
  ASSERT_EQ(command, (std::vector<std::string>{"serve", "--config", kImageConfig}));
  EXPECT_EQ(JsonArgs(ComposeService("llmscope"), "command:"), command);
  const std::string unit = ReadFile(kDeployDir + "/systemd/llmscope.service");
  EXPECT_EQ(Words(Capture(unit, R"(\nExecStart=([^\n]+))")),
            (std::vector<std::string>{"/usr/bin/llmscope", "serve", "--config", kImageConfig}));

  // That command, with the image's environment, on the file the image and the .deb install.
  command[2] = kDeployDir + "/llmscope.toml";
  ServerOptions options;
  options.extra_args.assign(command.begin() + 1, command.end());
  options.env = {{"LLMSCOPE_SERVER_LISTEN", "0.0.0.0:8080"}};  // the --listen flag wins
  auto server = StartServer(LLMSCOPE_BINARY, options);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->Call("GET", "/api/stats").status, 200);
  EXPECT_EQ(server->Call("GET", "/metrics", "", Auth::kNone).status, 401)
      << "the deployed config keeps /metrics behind the key";
  EXPECT_EQ(server->Stop(), 0) << server->Stderr();
}

TEST(DeployFilesTest, ComposeRemoteProbePushesToARealServer) {
  std::vector<std::string> command = JsonArgs(ComposeService("probe"), "command:");
  ASSERT_GE(command.size(), 2u);
  ASSERT_EQ(command[0], "probe");
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_TRUE(server);
  TempDir spool("llmscope-compose-spool");
  for (std::string& arg : command) {
    if (arg == "http://llmscope:8080") arg = "http://127.0.0.1:" + std::to_string(server->port());
    if (arg == "/var/lib/llmscope/spool") arg = spool.path();
  }
  // Bounded: three calls, then it exits. The key comes from the environment, as in compose.
  std::vector<std::string> argv = {"/usr/bin/env", "LLMSCOPE_API_KEY=" + server->api_key(),
                                   LLMSCOPE_BINARY};
  argv.insert(argv.end(), command.begin(), command.end());
  argv.insert(argv.end(), {"--count", "3", "--interval", "0.1"});
  const CommandResult r = RunCommand(argv);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json series = json::parse(server->Call("GET", "/api/series").body);
  bool found = false;
  for (const json& s : series.value("series", json::array())) {
    found = found || (s.value("site", "") == "compose-probe" && s.value("points", 0) == 3);
  }
  EXPECT_TRUE(found) << series.dump();
}

TEST(DeployFilesTest, SystemdUnitVerifiesAndIsHardened) {
  LLMSCOPE_REQUIRE_PROGRAM(analyze, "systemd-analyze", "systemd");
  std::string unit = ReadFile(kDeployDir + "/systemd/llmscope.service");
  for (const char* directive :
       {"DynamicUser=yes", "StateDirectory=llmscope", "ProtectSystem=strict", "ProtectHome=yes",
        "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n"}) {
    EXPECT_NE(unit.find(std::string("\n") + directive), std::string::npos) << directive;
  }
  // The state directory systemd creates is the data_dir of the config it starts with.
  EXPECT_NE(ReadFile(kDeployDir + "/llmscope.toml").find("data_dir = \"/var/lib/llmscope\""),
            std::string::npos);

  // verify checks that ExecStart's program exists: the built binary stands in for /usr/bin's.
  TempDir dir("llmscope-unit");
  const size_t at = unit.find("ExecStart=/usr/bin/llmscope ");
  ASSERT_NE(at, std::string::npos);
  unit.replace(at + 10, 17, LLMSCOPE_BINARY);
  const std::string path = dir.Write("llmscope.service", unit);
  const CommandResult verify = RunCommand({analyze, "verify", path});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.out + verify.err, "") << "systemd-analyze verify found problems";

  const CommandResult security = RunCommand({analyze, "security", "--offline=yes", path});
  ASSERT_EQ(security.exit_code, 0) << security.out << security.err;
  const std::string level = Capture(security.out, R"(Overall exposure level for \S+: ([0-9.]+))");
  ASSERT_FALSE(level.empty()) << security.out;
  std::printf("[ figures ] systemd-analyze security exposure: %s (0 best, 10 worst)\n",
              level.c_str());
  EXPECT_LE(std::stod(level), 2.0) << security.out;
}

TEST(DeployFilesTest, CpackBuildsADebWithTheBinaryUnitAndConfig) {
  LLMSCOPE_REQUIRE_PROGRAM(dpkg_deb, "dpkg-deb", "dpkg");
  LLMSCOPE_REQUIRE_PROGRAM(shlibdeps, "dpkg-shlibdeps", "dpkg-dev");
  TempDir out("llmscope-cpack");
  const CommandResult pack = RunCommand(
      {LLMSCOPE_CPACK, "-G", "DEB", "--config", LLMSCOPE_CPACK_CONFIG, "-B", out.path()});
  ASSERT_EQ(pack.exit_code, 0) << pack.out << pack.err;
  std::string deb;
  for (const auto& entry : std::filesystem::directory_iterator(out.path())) {
    if (entry.path().extension() == ".deb") deb = entry.path();
  }
  ASSERT_FALSE(deb.empty()) << pack.out;

  const CommandResult contents = RunCommand({dpkg_deb, "-c", deb});
  ASSERT_EQ(contents.exit_code, 0) << contents.err;
  for (const char* file :
       {"./usr/bin/llmscope", "./usr/lib/systemd/system/llmscope.service",
        "./etc/llmscope/llmscope.toml", "./usr/share/doc/llmscope/llmscope.example.toml",
        "./usr/share/doc/llmscope/prometheus/llmscope-rules.yml",
        "./usr/share/doc/llmscope/grafana/llmscope-dashboard.json"}) {
    EXPECT_NE(contents.out.find(std::string(" ") + file + "\n"), std::string::npos)
        << file << " is not in\n"
        << contents.out;
  }
  const CommandResult info = RunCommand({dpkg_deb, "-I", deb});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find(" Package: llmscope\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find(" Version: 0.1.0\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("One binary: serve, probe, analyze.\n"), std::string::npos) << info.out;
  const std::string depends = Capture(info.out, R"(\n Depends: ([^\n]+))");
  for (const char* lib : {"libc6", "libsqlite3-0", "libcurl4", "zlib1g"}) {
    EXPECT_NE(depends.find(lib), std::string::npos) << lib << " not in Depends: " << depends;
  }
  const CommandResult conffiles = RunCommand({dpkg_deb, "-I", deb, "conffiles"});
  EXPECT_EQ(conffiles.out, "/etc/llmscope/llmscope.toml\n") << conffiles.err;

  // The packaged binary runs.
  const CommandResult extract = RunCommand({dpkg_deb, "-x", deb, out.File("root")});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  const CommandResult version = RunCommand({out.File("root") + "/usr/bin/llmscope", "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_NE(version.out.find("llmscope 0.1.0"), std::string::npos) << version.out;
}

}  // namespace
}  // namespace llmscope::testing
