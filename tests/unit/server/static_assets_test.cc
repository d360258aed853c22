// The embedded dashboard's routes (server/static_assets.h) on the real HTTP engine on 127.0.0.1, with an asset list given by the test: a binary built without web/dist serves a page
// that says how to build it; with assets, "/" and app paths are index.html (no-cache), hashed
// bundles are cached for good, other files of dist are served by path, /api stays unmatched.
#include "server/static_assets.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "http/router.h"
#include "http/server.h"

#include <string>
#include <thread>
#include <vector>

namespace llmscope::server {
namespace {

// A server with only the static routes, serving until destroyed.
class StaticServer {
 public:
  explicit StaticServer(std::span<const WebAsset> assets) : server_(Options(), router_) {
    AddStaticAssetRoutes(router_, assets);
    // Bound and listening before the accept loop starts: early connections wait in the backlog.
    port_ = server_.Bind().value();
    thread_ = std::thread([this] { server_.Serve(); });
  }
  ~StaticServer() {
    server_.Stop();
    thread_.join();
  }
  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    return client.Get(path);
  }

 private:
  static http::ServerOptions Options() {
    http::ServerOptions o;
    o.port = 0;
    return o;
  }
  http::Router router_;
  http::Server server_;
  int port_ = 0;
  std::thread thread_;
};

const unsigned char kIndex[] = "<!doctype html><div id=\"root\"></div>";
const unsigned char kScript[] = "console.log(1)";
const unsigned char kIcon[] = "<svg/>";
const WebAsset kAssets[] = {
    {"/assets/index-abc.js", "text/javascript; charset=utf-8", kScript, sizeof kScript - 1},
    {"/favicon.svg", "image/svg+xml", kIcon, sizeof kIcon - 1},
    {"/index.html", "text/html; charset=utf-8", kIndex, sizeof kIndex - 1},
};

TEST(StaticAssets, WithoutABuiltDashboardTheRootSaysHowToBuildIt) {
  StaticServer server({});
  auto res = server.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(res->body.find("dashboard was not built"), std::string::npos);
  EXPECT_NE(res->body.find("cd web &amp;&amp; npm ci &amp;&amp; npm run build"), std::string::npos);
  EXPECT_EQ(server.Get("/anything/else")->body, res->body);
  EXPECT_EQ(server.Get("/assets/index-abc.js")->status, 404);
}

TEST(StaticAssets, ServesTheAppItsBundlesAndItsFiles) {
  StaticServer server(kAssets);
  auto root = server.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->body, reinterpret_cast<const char*>(kIndex));
  EXPECT_EQ(root->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(server.Get("/index.html")->body, root->body);
  EXPECT_EQ(server.Get("/violations/12")->body, root->body);

  auto js = server.Get("/assets/index-abc.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");

  auto icon = server.Get("/favicon.svg");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_EQ(icon->body, "<svg/>");

  auto missing = server.Get("/assets/gone.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("not_found"), std::string::npos);
  // /api is never the app: the API's own routes (absent here) answer there.
  EXPECT_EQ(server.Get("/api/series")->status, 404);
  EXPECT_EQ(server.Get("/api")->status, 404);
  EXPECT_EQ(server.Get("/apiary")->body, root->body);
}

}  // namespace
}  // namespace llmscope::server
