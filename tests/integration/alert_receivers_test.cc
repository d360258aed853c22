// Alerts to real receivers started by the test on 127.0.0.1: an SMTP server (Debian's
// python3-aiosmtpd, tests/fakes/smtp_receiver.py) requiring STARTTLS and AUTH, fed by
// `llmscope alert test`; and Prometheus Alertmanager (Debian's prometheus-alertmanager), fed by
// `llmscope serve`, whose API shows the alert firing and then resolved. Without the programs
// these tests skip locally and fail when CI=true.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/alert_support.h"
#include "support/child_process.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace llmscope::testing {
namespace {

const char* kPython = "/usr/bin/python3";
const char* kOpenssl = "/usr/bin/openssl";
const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";
const std::string kSigma = "\xCF\x83";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Its stdout and stderr together.
std::string Log(const ChildProcess& p) {
  return p.Stdout() + p.Stderr();
}

bool LogSays(ChildProcess& p, const std::string& word) {
  return WaitUntil([&] { return !p.Running() || Log(p).find(word) != std::string::npos; },
                   std::chrono::seconds(20)) &&
         Log(p).find(word) != std::string::npos;
}

class AlertSmtpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_PROGRAM(kPython, "python3");
    REQUIRE_PROGRAM(kOpenssl, "openssl");
    if (RunCommand({kPython, "-c", "import aiosmtpd"}).exit_code != 0) {
      const char* ci = std::getenv("CI");
      if (ci != nullptr && std::string(ci) == "true") FAIL() << "python3-aiosmtpd is missing";
      GTEST_SKIP() << "python3-aiosmtpd is missing (apt-get install python3-aiosmtpd)";
    }
    // A certificate for 127.0.0.1, trusted by the sink through ca_file.
    const CommandResult cert =
        RunCommand({kOpenssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                    dir_.File("key.pem"), "-out", dir_.File("cert.pem")});
    ASSERT_EQ(cert.exit_code, 0) << cert.err;
    std::filesystem::create_directory(mail_dir_);
    port_ = PickFreePort();
    std::vector<std::string> argv = {
        kPython,      SMTP_RECEIVER_SCRIPT,  "--port", std::to_string(port_), "--dir",  mail_dir_,
        "--cert",     dir_.File("cert.pem"), "--key",  dir_.File("key.pem"),  "--user", "alerts",
        "--password", "smtp-pass-9d1e"};
    if (Smtps()) argv.push_back("--smtps");
    smtp_ = std::make_unique<ChildProcess>(argv, dir_.path(), "smtp");
    std::string error;
    ASSERT_TRUE(smtp_->Start(&error)) << error;
    ASSERT_TRUE(LogSays(*smtp_, "ready")) << Log(*smtp_);
    config_ = dir_.Write("llmscope.toml", R"([alerts]
public_url = "http://dash.example:8080/"

[[alerts.sinks]]
name = "mail"
type = "email"
url = ")" + std::string(Smtps() ? "smtps" : "smtp") +
                                              "://127.0.0.1:" + std::to_string(port_) + R"("
starttls = )" + (Smtps() ? "false" : "true") + R"(
ca_file = ")" + dir_.File("cert.pem") + R"("
from = "LLMscope <alerts@example.com>"
to = ["ops@example.com", "oncall@example.com"]
username = "alerts"
password_env = "TEST_SMTP_PASSWORD"
timeout_s = 5
)");
  }

  // false: smtp:// with STARTTLS required; true: smtps://, TLS from the start.
  virtual bool Smtps() const { return false; }

  CommandResult AlertTest(const std::string& sink, const std::string& password) {
    setenv("TEST_SMTP_PASSWORD", password.c_str(), 1);
    CommandResult r =
        RunCommand({LLMSCOPE_BINARY, "alert", "test", sink, "--config", config_, "--timeout", "3"});
    unsetenv("TEST_SMTP_PASSWORD");
    return r;
  }

  size_t Messages() const {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(mail_dir_)) {
      n += e.path().extension() == ".json";
    }
    return n;
  }

  TempDir dir_{"llmscope-smtp"};
  std::string mail_dir_ = dir_.File("mail");
  int port_ = 0;
  std::unique_ptr<ChildProcess> smtp_;
  std::string config_;
};

TEST_F(AlertSmtpTest, TestAlertArrivesAsMultipartMailOverStarttlsWithAuth) {
  const CommandResult r = AlertTest("mail", "smtp-pass-9d1e");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << Log(*smtp_);
  EXPECT_NE(r.out.find("delivered: test alert test/mail/"), std::string::npos) << r.out;
  ASSERT_EQ(Messages(), 1u);

  const json m = json::parse(ReadFile(mail_dir_ + "/0001.json"));
  EXPECT_EQ(m["tls"], true);
  EXPECT_EQ(m["authenticated"], true);
  EXPECT_EQ(m["mail_from"], "alerts@example.com");
  EXPECT_EQ(m["rcpt_tos"], (json{"ops@example.com", "oncall@example.com"}));
  const json& h = m["headers"];
  EXPECT_EQ(
      h["Subject"],
      "LLMscope: TEST [CRITICAL] R1 on llmscope/test-alert/e2e_ms: 1500 ms (+4.5" + kSigma + ")");
  EXPECT_EQ(h["From"], "LLMscope <alerts@example.com>");
  EXPECT_EQ(h["To"], "ops@example.com, oncall@example.com");
  EXPECT_EQ(h["Message-ID"].get<std::string>().rfind("<llmscope.test.mail.", 0), 0u) << h.dump();
  EXPECT_EQ(h["X-LLMscope-Idempotency-Key"].get<std::string>().rfind("test/mail/", 0), 0u);
  EXPECT_EQ(m["content_type"], "multipart/alternative");
  ASSERT_EQ(m["parts"].size(), 2u) << m.dump();
  const json& text = m["parts"][0];
  const json& html = m["parts"][1];
  EXPECT_EQ(text["type"], "text/plain");
  EXPECT_EQ(text["charset"], "utf-8");
  const std::string t = text["content"];
  EXPECT_NE(t.find("Series: llmscope/test-alert/e2e_ms"), std::string::npos) << t;
  EXPECT_NE(t.find("Rule: R1: one point beyond 3 sigma"), std::string::npos) << t;
  EXPECT_NE(t.find("Deviation: +4.5" + kSigma), std::string::npos) << t;
  EXPECT_NE(t.find("Limits: LCL 250 ms, CL 500 ms, UCL 1000 ms"), std::string::npos) << t;
  EXPECT_NE(t.find("In the dashboard: http://dash.example:8080/"), std::string::npos) << t;
  EXPECT_EQ(html["type"], "text/html");
  const std::string x = html["content"];
  EXPECT_NE(x.find("<th align=\"left\">Deviation</th><td>+4.5" + kSigma + "</td>"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find("<a href=\"http://dash.example:8080/\">"), std::string::npos) << x;
}

TEST_F(AlertSmtpTest, WrongPasswordIsNotDeliveredAndNotShownUnknownSinkIsAUsageError) {
  const CommandResult r = AlertTest("mail", "wrong-pass-0000");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("not delivered"), std::string::npos) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("wrong-pass-0000"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(Messages(), 0u);

  const CommandResult unknown = AlertTest("pager", "x");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no sink named 'pager'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("configured: mail"), std::string::npos) << unknown.err;

  // No password in the environment: a config error naming the variable.
  const CommandResult unset =
      RunCommand({LLMSCOPE_BINARY, "alert", "test", "mail", "--config", config_});
  EXPECT_NE(unset.exit_code, 0);
  EXPECT_NE(unset.err.find("TEST_SMTP_PASSWORD is not set"), std::string::npos) << unset.err;
}

class AlertSmtpsTest : public AlertSmtpTest {
 protected:
  bool Smtps() const override { return true; }
};

TEST_F(AlertSmtpsTest, TestAlertArrivesOverSmtpsWithAuth) {
  const CommandResult r = AlertTest("mail", "smtp-pass-9d1e");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << Log(*smtp_);
  ASSERT_EQ(Messages(), 1u);
  const json m = json::parse(ReadFile(mail_dir_ + "/0001.json"));
  EXPECT_EQ(m["authenticated"], true);
  EXPECT_EQ(m["content_type"], "multipart/alternative");
  ASSERT_EQ(m["parts"].size(), 2u);
  EXPECT_EQ(m["parts"][0]["type"], "text/plain");
  EXPECT_EQ(m["parts"][1]["type"], "text/html");
}

TEST(AlertmanagerTest, ViolationFiresInAlertmanagerAndResolves) {
  REQUIRE_PROGRAM(kAlertmanager, "prometheus-alertmanager");
  TempDir dir("llmscope-am");
  const int am_port = PickFreePort();
  const std::string am_config = dir.Write("alertmanager.yml", R"(route:
  receiver: "null"
receivers:
  - name: "null"
)");
  ChildProcess am(
      {kAlertmanager, "--config.file=" + am_config, "--storage.path=" + dir.File("am-data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="},
      dir.path(), "alertmanager");
  std::string am_error;
  ASSERT_TRUE(am.Start(&am_error)) << am_error;
  httplib::Client client("127.0.0.1", am_port);
  client.set_connection_timeout(1);
  client.set_read_timeout(5);
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = client.Get("/-/ready");
        return r && r->status == 200;
      },
      std::chrono::seconds(20)))
      << Log(am);

  ServerOptions o;
  o.extra_args = {"--config", dir.Write("llmscope.toml", R"([spc]
baseline = 20

[alerts]
severity = { R1 = "critical" }  # the test's spike is an R1, info by default
public_url = "http://dash.example:8080"

[[alerts.sinks]]
name = "am"
type = "alertmanager"
url = "http://127.0.0.1:)" + std::to_string(am_port) + R"("

[[alerts.routes]]
sinks = ["am"]
)")};
  auto server = StartServer(LLMSCOPE_BINARY, o);
  ASSERT_TRUE(server);
  const int64_t id = OpenR1Violation(*server, "am-model");
  ASSERT_GT(id, 0);
  ASSERT_TRUE(WaitUntil([&] { return AllInState(*server, id, 1, "delivered"); }))
      << Deliveries(*server, id).dump() << server->Stderr();

  const std::string query =
      "/api/v2/alerts?filter=" +
      httplib::detail::encode_query_param("violation_id=\"" + std::to_string(id) + "\"");
  auto firing = client.Get(query.c_str());
  ASSERT_TRUE(firing && firing->status == 200);
  const json alerts = json::parse(firing->body);
  ASSERT_EQ(alerts.size(), 1u) << firing->body;
  const json& a = alerts[0];
  EXPECT_EQ(a["labels"]["alertname"], "LLMscopeViolation");
  EXPECT_EQ(a["labels"]["provider"], "acme");
  EXPECT_EQ(a["labels"]["model"], "am-model");
  EXPECT_EQ(a["labels"]["metric"], "e2e_ms");
  EXPECT_EQ(a["labels"]["rule"], "R1");
  EXPECT_EQ(a["labels"]["severity"], "critical");
  EXPECT_EQ(a["status"]["state"], "active");
  EXPECT_NE(a["annotations"]["summary"].get<std::string>().find("R1 on acme/am-model/e2e_ms"),
            std::string::npos);
  EXPECT_EQ(a["annotations"]["dashboard_url"],
            "http://dash.example:8080/#/violations/" + std::to_string(id));
  EXPECT_EQ(a["generatorURL"], "http://dash.example:8080/#/violations/" + std::to_string(id));

  const Reply res = server->Call("POST", "/api/violations/" + std::to_string(id) + "/resolve", "");
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_TRUE(WaitUntil([&] { return AllInState(*server, id, 2, "delivered"); }))
      << Deliveries(*server, id).dump();
  // A resolved alert (endsAt passed) is no longer listed by Alertmanager.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = client.Get(query.c_str());
        return r && r->status == 200 && json::parse(r->body).empty();
      },
      std::chrono::seconds(10)));
}

}  // namespace
}  // namespace llmscope::testing
