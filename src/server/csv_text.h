// CSV fields as the export routes write them (RFC 4180): text quoted only when it holds a comma,
// quote or line break; numbers in their shortest exact form, empty when not finite.
#pragma once

#include <string>

namespace llmscope::server {

std::string CsvField(const std::string& s);
std::string CsvNumber(double v);

}  // namespace llmscope::server
