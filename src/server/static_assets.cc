#include "server/static_assets.h"

#include "http/router.h"

#include "server/json_views.h"

namespace llmscope::server {
namespace {

constexpr char kNotBuiltPage[] = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LLMscope</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;background:#111418;color:#e6e6e6;max-width:40rem;
margin:3rem auto;padding:0 1rem;line-height:1.5}code,pre{background:#1d232b;padding:.1rem .3rem;
border-radius:4px}pre{padding:.8rem}</style></head>
<body><h1>LLMscope</h1>
<p>The dashboard was not built into this binary. The API under <code>/api</code> works as usual.</p>
<p>To build the dashboard (needs Node.js and npm), then rebuild the server:</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build
cd .. &amp;&amp; cmake --build build</pre>
<p>(<code>scripts/build.sh</code> does both when npm is present.)</p>
</body></html>
)";

const WebAsset* Find(std::span<const WebAsset> assets, std::string_view path) {
  for (const WebAsset& a : assets) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

void Send(http::Response& res, const WebAsset& a, const char* cache_control) {
  res.set_header("Cache-Control", cache_control);
  res.set_content(reinterpret_cast<const char*>(a.data), a.size, std::string(a.content_type));
}

}  // namespace

void AddStaticAssetRoutes(http::Router& router, std::span<const WebAsset> assets) {
  const WebAsset* index = Find(assets, "/index.html");
  auto send_index = [index](http::Response& res) {
    if (index) return Send(res, *index, "no-cache");
    res.set_header("Cache-Control", "no-cache");
    res.set_content(kNotBuiltPage, "text/html; charset=utf-8");
  };

  router.Get("/",
             [send_index](const http::Request&, http::Response& res) { send_index(res); });
  router.Get(R"(/assets/(.+))", [assets](const http::Request& req, http::Response& res) {
    const WebAsset* a = Find(assets, req.path);
    if (!a) {
      res.status = 404;
      res.set_content(ErrorJson("not_found", "no such asset").dump(), "application/json");
      return;
    }
    Send(res, *a, "public, max-age=31536000, immutable");
  });
  // Everything else outside /api: a file of web/dist by its path, else the app itself.
  router.Get(R"(/(?!api(?:/|$)).*)",
             [assets, send_index](const http::Request& req, http::Response& res) {
               const WebAsset* a = Find(assets, req.path);
               if (a && a != Find(assets, "/index.html")) return Send(res, *a, "no-cache");
               send_index(res);
             });
}

}  // namespace llmscope::server
