// The built dashboard (web/dist) embedded in the binary: cmake/EmbedWebAssets.cmake generates
// the definition of EmbeddedWebAssets() at build time from the files present then.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace llmscope::server {

struct WebAsset {
  std::string_view path;          // URL path, "/index.html", "/assets/index-3f2a.js"
  std::string_view content_type;  // from the file's extension
  const unsigned char* data;
  size_t size;
};

// Every file of web/dist, sorted by path; empty when the dashboard was not built.
std::span<const WebAsset> EmbeddedWebAssets();

}  // namespace llmscope::server
