// The headers every reply carries for browsers. The dashboard's buttons acknowledge, resolve and
// re-baseline, so no other site may frame it (clickjacking), and its page may load scripts, styles,
// data and connections from its own origin only, so an injected name can run nothing:
//   Content-Security-Policy  default-src 'self'; script-src 'self'; style-src 'self'
//                            'unsafe-inline' (style attributes of the chart library); img-src
//                            'self' data: blob: (the PNG export); connect-src 'self';
//                            object-src 'none'; base-uri 'none'; form-action 'self';
//                            frame-ancestors 'none'
//   X-Frame-Options          DENY (browsers without frame-ancestors)
//   Referrer-Policy          no-referrer (links out of the dashboard leak no address)
//   X-Content-Type-Options   nosniff
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace llmscope::server {

std::vector<std::pair<std::string, std::string>> BrowserHeaders();

}  // namespace llmscope::server
