#include "app/series_reader.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace llmscope::app {
namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

// A finite number and nothing else (surrounding blanks allowed).
std::optional<double> ParseNumber(const std::string& cell) {
  std::string t = Trim(cell);
  if (t.empty()) return std::nullopt;
  if (t.front() == '+') t.erase(0, 1);
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Splits one CSV line. Written by hand: Debian packages no small CSV library, and one line with
// RFC 4180 quotes is all `analyze` needs. Returns nullopt on an unterminated quote.
std::optional<std::vector<std::string>> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else if (c != '\r') {
      cells.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  return cells;
}

struct CsvRow {
  int line = 0;
  std::vector<std::string> cells;
};

Error At(const std::string& code, int line, const std::string& what) {
  return Error{code, "line " + std::to_string(line) + ": " + what};
}

Result<Series> ReadCsv(std::istream& in, const SeriesSource& source) {
  std::vector<CsvRow> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (Trim(line).empty()) continue;
    auto cells = SplitCsvLine(line);
    if (!cells) return At("bad_cell", n, "unterminated quote");
    rows.push_back(CsvRow{n, std::move(*cells)});
  }
  if (rows.empty()) return Error{"empty_input", "the file holds no rows"};

  const std::vector<std::string>& first = rows[0].cells;
  auto numeric = [](const CsvRow& r, size_t c) {
    return c < r.cells.size() && ParseNumber(r.cells[c]).has_value();
  };
  bool header = false;
  for (size_t c = 0; c < first.size(); ++c) {
    bool below_numeric = rows.size() > 1 ? numeric(rows[1], c) : true;
    if (!numeric(rows[0], c) && below_numeric && !Trim(first[c]).empty()) header = true;
  }
  const size_t data_start = header ? 1 : 0;
  if (data_start >= rows.size()) return Error{"empty_input", "the file holds a header only"};

  size_t column = 0;
  std::string name;
  if (!source.column.empty()) {
    int index = 0;
    const std::string& want = source.column;
    auto [p, ec] = std::from_chars(want.data(), want.data() + want.size(), index);
    bool by_index = ec == std::errc() && p == want.data() + want.size();
    if (by_index) {
      if (index < 1) return Error{"no_such_column", "column index is 1-based, got " + want};
      column = static_cast<size_t>(index - 1);
    } else {
      bool found = false;
      for (size_t c = 0; header && c < first.size() && !found; ++c) {
        if (Trim(first[c]) == want) {
          column = c;
          found = true;
        }
      }
      if (!found) {
        return Error{"no_such_column", header ? "no column named '" + want + "' in the header"
                                              : "no header row to find column '" + want + "' in"};
      }
    }
  } else {
    bool found = false;
    const CsvRow& r = rows[data_start];
    for (size_t c = 0; c < r.cells.size() && !found; ++c) {
      if (numeric(r, c)) {
        column = c;
        found = true;
      }
    }
    if (!found) return At("no_numeric_column", r.line, "no cell of the first data row is a number");
  }
  name = header && column < first.size() ? Trim(first[column])
                                         : "column " + std::to_string(column + 1);

  Series series;
  series.name = name;
  series.values.reserve(rows.size());
  for (size_t i = data_start; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    const std::string where = "column " + std::to_string(column + 1) + " (" + name + ")";
    if (column >= r.cells.size()) return At("bad_cell", r.line, "no " + where);
    auto v = ParseNumber(r.cells[column]);
    if (!v) return At("bad_cell", r.line, where + ": '" + Trim(r.cells[column]) + "' is not a finite number");
    series.values.push_back(*v);
  }
  return series;
}

// The value of one JSON item: a number, or an object's `field` (first numeric member by default).
Result<double> JsonValue(const nlohmann::json& item, std::string& field, int line) {
  const nlohmann::json* v = &item;
  if (item.is_object()) {
    if (field.empty()) {
      for (auto it = item.begin(); it != item.end(); ++it) {
        if (it->is_number()) {
          field = it.key();
          break;
        }
      }
      if (field.empty()) return At("no_numeric_column", line, "the object has no numeric member");
    }
    auto it = item.find(field);
    if (it == item.end()) return At("bad_cell", line, "no member '" + field + "'");
    v = &*it;
  }
  if (!v->is_number() || !std::isfinite(v->get<double>())) {
    return At("bad_cell", line, (field.empty() ? std::string("value") : "'" + field + "'") +
                                    " is not a finite number: " + v->dump());
  }
  return v->get<double>();
}

Result<Series> ReadJson(std::istream& in, const SeriesSource& source) {
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  Series series;
  std::string field = source.field;
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (text[start] == '[') {
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) {
      return Error{"bad_json", "the file is not one valid JSON array"};
    }
    for (const auto& item : doc) {
      Result<double> v = JsonValue(item, field, 1);
      if (!v) return Error{v.error().code, "item " + std::to_string(series.values.size()) + ": " +
                                               v.error().message};
      series.values.push_back(*v);
    }
  } else {
    std::istringstream lines(text);
    std::string line;
    for (int n = 1; std::getline(lines, line); ++n) {
      if (Trim(line).empty()) continue;
      nlohmann::json item = nlohmann::json::parse(line, nullptr, false);
      if (item.is_discarded()) return At("bad_json", n, "not valid JSON");
      Result<double> v = JsonValue(item, field, n);
      if (!v) return v.error();
      series.values.push_back(*v);
    }
  }
  if (series.values.empty()) return Error{"empty_input", "the file holds no values"};
  series.name = field.empty() ? "value" : field;
  return series;
}

}  // namespace

Result<Series> ReadSeries(std::istream& in, const SeriesSource& source) {
  int c = in.peek();
  while (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
    in.get();
    c = in.peek();
  }
  if (c == EOF) return Error{"empty_input", "the file is empty"};
  if (c == '{' || c == '[') return ReadJson(in, source);
  return ReadCsv(in, source);
}

Result<Series> ReadSeriesFile(const std::string& path, const SeriesSource& source) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error{"unreadable_file", "cannot read '" + path + "': it is a directory"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"unreadable_file", "cannot open '" + path + "': " + std::strerror(errno)};
  Result<Series> s = ReadSeries(in, source);
  if (in.bad()) return Error{"unreadable_file", "cannot read '" + path + "'"};
  return s;
}

}  // namespace llmscope::app
