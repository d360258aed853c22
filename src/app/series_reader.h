// Reads one series of numbers from a CSV or JSON file, for `llmscope analyze`.
//
// CSV: comma-separated, RFC 4180 quotes within a line, blank lines skipped. The first row is a
// header when one of its cells is not a number where the row below holds one (or, in a one-row
// file, when none of its cells is a number). The column is chosen by header name or 1-based
// index; by default it is the first column whose first data cell is a number.
// JSON: a file that starts with '{' or '[' is JSON lines (one object or number per line) or one
// array of objects or numbers; objects give the value of `field`, by default their first
// numeric member.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "core/result.h"

namespace llmscope::app {

struct SeriesSource {
  std::string column;  // CSV: header name or 1-based index; empty: the first numeric column
  std::string field;   // JSON: member name; empty: the first numeric member
};

struct Series {
  std::vector<double> values;
  std::string name;  // the column or field read ("column 3" when the CSV has no header)
};

// Errors, each naming the place: "bad_cell" (line and column of a cell that is not a finite
// number), "no_such_column", "no_numeric_column", "bad_json", "empty_input".
Result<Series> ReadSeries(std::istream& in, const SeriesSource& source);

// As ReadSeries; "unreadable_file" when the file cannot be opened or read.
Result<Series> ReadSeriesFile(const std::string& path, const SeriesSource& source);

}  // namespace llmscope::app
