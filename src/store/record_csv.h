// Samples and violations as CSV (RFC 4180: comma-separated, "-quoted when a field holds a comma,
// quote or line break, CRLF-free): one header line, then one line per record. Times are ISO 8601
// UTC text; absent and non-finite numbers are empty fields; doubles print in their shortest
// exact form. Used by GET /api/export/* and `llmscope export`, so both give the same files.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/sample.h"
#include "store/records.h"

namespace llmscope::store {

// The header lines (with the newline); write once, then rows in as many calls as needed.
extern const char kSamplesCsvHeader[];
extern const char kViolationsCsvHeader[];

void WriteSampleCsvRows(std::ostream& out, const std::vector<Sample>& samples);
// The last five columns, the host telemetry at each violation's first point, come from its
// context_json: read the violations with (at least) its telemetry (ViolationQuery::context).
void WriteViolationCsvRows(std::ostream& out, const std::vector<ViolationRecord>& violations);

// One field: verbatim, or quoted with inner quotes doubled when it must be.
std::string CsvField(const std::string& text);
// A number: shortest exact form; "" when not finite.
std::string CsvNumber(double value);

}  // namespace llmscope::store
