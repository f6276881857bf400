#include "sparkify/analytics/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "sparkify/analytics/html.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/sql/checks.hpp"
#include "sparkify/sql/read_only.hpp"

namespace sparkify::analytics {
namespace {

namespace fs = std::filesystem;
using engine::QueryResult;
using engine::ResultValue;
using engine::ValueKind;

struct PreparedCheck {
  std::string name;
  std::string description;
  std::string sql;  // returns the failing rows
  bool needs_staging = false;
};

// A value for a one-line message: text quoted, cut, with line breaks shown as \n.
std::string Quote(const ResultValue& value, ValueKind kind) {
  if (!value) return "NULL";
  std::string text = Shorten(*value, 40);
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  const bool bare =
      kind == ValueKind::kInteger || kind == ValueKind::kFloat || kind == ValueKind::kBoolean;
  return bare ? out : "'" + out + "'";
}

std::string DescribeRows(const QueryResult& sample) {
  std::string out;
  for (size_t r = 0; r < sample.rows.size(); ++r) {
    out += r == 0 ? "" : "; ";
    out += '(';
    for (size_t c = 0; c < sample.columns.size(); ++c) {
      if (c > 0) out += ", ";
      out += sample.columns[c].name + "=" +
             Quote(c < sample.rows[r].size() ? sample.rows[r][c] : ResultValue(),
                   sample.columns[c].kind);
    }
    out += ')';
  }
  return out;
}

// A count the engine returned in canonical text; kInternal if it is not one.
Result<int64_t> ParseCount(const ResultValue& value) {
  int64_t n = 0;
  if (value) {
    const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
    if (ec == std::errc() && end == value->data() + value->size()) return n;
  }
  return Error::Internal("a count query returned " + value.value_or("NULL"));
}

// Runs `body` in a read-only transaction that is always rolled back.
template <typename T, typename F>
Result<T> ReadOnly(engine::Engine& engine, F&& body) {
  SPARKIFY_RETURN_IF_ERROR(engine.BeginReadOnly());
  Result<T> result = body();
  Status rollback = engine.Rollback();
  if (result.ok() && !rollback.ok()) return rollback.take_error();
  return result;
}

CheckOutcome RunRowCheck(engine::Engine& engine, const PreparedCheck& check, int64_t sample_rows) {
  CheckOutcome outcome{check.name, check.description, CheckStatus::kPass, std::nullopt, {}};
  struct Found {
    int64_t count = 0;
    QueryResult sample;
  };
  Result<Found> found = ReadOnly<Found>(engine, [&]() -> Result<Found> {
    Found f;
    SPARKIFY_ASSIGN_OR_RETURN(QueryResult count, engine.Query(sql::CountFailingRows(check.sql)));
    if (count.rows.empty() || count.rows[0].empty()) {
      return Error::Internal("counting failing rows returned no row");
    }
    SPARKIFY_ASSIGN_OR_RETURN(f.count, ParseCount(count.rows[0][0]));
    if (f.count > 0 && sample_rows > 0) {
      SPARKIFY_ASSIGN_OR_RETURN(f.sample,
                                engine.Query(sql::SampleFailingRows(check.sql, sample_rows)));
    }
    return f;
  });
  if (!found.ok()) {
    outcome.status = CheckStatus::kError;
    outcome.detail = "could not run: " + found.error().ToString();
    return outcome;
  }
  outcome.failing_rows = found->count;
  if (found->count > 0) {
    outcome.status = CheckStatus::kFail;
    outcome.detail = fmt::format("{} failing row{}", log::WithThousands(found->count),
                                 found->count == 1 ? "" : "s");
    if (!found->sample.rows.empty()) {
      outcome.detail +=
          (static_cast<int64_t>(found->sample.rows.size()) < found->count ? ", e.g. " : ": ") +
          DescribeRows(found->sample);
    }
  }
  return outcome;
}

CheckOutcome RunMatchRate(engine::Engine& engine, const CheckOptions& options) {
  CheckOutcome outcome{
      "match_rate",
      "at least " + FormatPercent(options.min_match_rate) + " of plays match a known song",
      CheckStatus::kPass,
      std::nullopt,
      {}};
  Result<QueryResult> counts = ReadOnly<QueryResult>(
      engine, [&] { return engine.Query(sql::MatchRateCounts(engine.dialect())); });
  if (!counts.ok()) {
    outcome.status = CheckStatus::kError;
    outcome.detail = "could not run: " + counts.error().ToString();
    return outcome;
  }
  const auto number = [&](size_t c) -> int64_t {
    if (counts->rows.empty() || c >= counts->rows[0].size()) return 0;
    Result<int64_t> n = ParseCount(counts->rows[0][c]);
    return n.ok() ? *n : 0;
  };
  const int64_t plays = number(0), matched = number(1);
  const double rate = plays > 0 ? static_cast<double>(matched) / static_cast<double>(plays) : 0;
  outcome.detail = plays == 0 ? "no plays to match"
                              : fmt::format("match rate {} ({} of {} plays)", FormatPercent(rate),
                                            log::WithThousands(matched), log::WithThousands(plays));
  if (plays == 0 || rate < options.min_match_rate) {
    outcome.status = options.match_rate_is_error ? CheckStatus::kFail : CheckStatus::kWarn;
    outcome.detail += " is below the floor " + FormatPercent(options.min_match_rate);
  }
  return outcome;
}

Result<std::vector<PreparedCheck>> ReadUserChecks(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error::NotFound("--checks-dir " + dir + " is not a folder");
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".sql" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return Error::Io("reading --checks-dir " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<PreparedCheck> checks;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in && !in.eof()) return Error::Io("reading " + file.string());
    const std::string text = buffer.str();
    Status read_only = sql::CheckReadOnlyStatement(text);
    if (!read_only.ok()) {
      return read_only.take_error().WithContext("check " + file.string());
    }
    std::string description = "returns no rows";
    if (text.rfind("--", 0) == 0) {
      std::string_view first_line = std::string_view(text).substr(0, text.find('\n'));
      first_line.remove_prefix(2);
      while (!first_line.empty() && (first_line.front() == ' ' || first_line.front() == '-')) {
        first_line.remove_prefix(1);
      }
      while (!first_line.empty() && (first_line.back() == ' ' || first_line.back() == '\r')) {
        first_line.remove_suffix(1);
      }
      if (!first_line.empty()) description = std::string(first_line);
    }
    checks.push_back(
        {"custom." + file.stem().string(), std::move(description), sql::StripStatementEnd(text)});
  }
  return checks;
}

}  // namespace

const char* CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass:
      return "PASS";
    case CheckStatus::kSkip:
      return "SKIP";
    case CheckStatus::kWarn:
      return "WARN";
    case CheckStatus::kFail:
      return "FAIL";
    case CheckStatus::kError:
      return "ERROR";
  }
  return "ERROR";
}

int CheckReport::Count(CheckStatus status) const {
  return static_cast<int>(std::count_if(outcomes.begin(), outcomes.end(),
                                        [&](const CheckOutcome& o) { return o.status == status; }));
}

Result<CheckReport> RunChecks(engine::Engine& engine, const CheckOptions& options) {
  std::vector<PreparedCheck> user_checks;
  if (options.checks_dir) {
    SPARKIFY_ASSIGN_OR_RETURN(user_checks, ReadUserChecks(*options.checks_dir));
  }
  // Staging tables that are both empty were not kept by the load; when they cannot even be
  // counted, the staging checks run and say why.
  Result<QueryResult> staging = ReadOnly<QueryResult>(
      engine, [&] { return engine.Query(sql::StagingRowCounts(engine.dialect())); });
  const bool staging_kept = !staging.ok() || staging->rows.empty() ||
                            std::any_of(staging->rows[0].begin(), staging->rows[0].end(),
                                        [](const ResultValue& v) { return v != ResultValue("0"); });
  CheckReport report;
  for (const sql::CheckQuery& q : sql::BuiltinCheckQueries(engine.dialect())) {
    if (q.needs_staging && !staging_kept) {
      report.outcomes.push_back(
          {q.name, q.description, CheckStatus::kSkip, std::nullopt,
           "the staging tables are empty (etl keeps them with --keep-staging or --transform sql)"});
      continue;
    }
    report.outcomes.push_back(
        RunRowCheck(engine, {q.name, q.description, q.sql, q.needs_staging}, options.sample_rows));
  }
  report.outcomes.push_back(RunMatchRate(engine, options));
  for (const PreparedCheck& check : user_checks) {
    report.outcomes.push_back(RunRowCheck(engine, check, options.sample_rows));
  }
  return report;
}

void WriteCheckLines(std::ostream& out, const CheckReport& report, bool color) {
  size_t name_width = 0;
  for (const CheckOutcome& o : report.outcomes) name_width = std::max(name_width, o.name.size());
  for (const CheckOutcome& o : report.outcomes) {
    std::string status = CheckStatusName(o.status);
    std::string padded = status + std::string(6 - status.size(), ' ');
    if (color) {
      const char* sgr = o.status == CheckStatus::kPass   ? "\x1b[32m"
                        : o.status == CheckStatus::kSkip ? "\x1b[2m"
                        : o.status == CheckStatus::kWarn ? "\x1b[33m"
                                                         : "\x1b[31;1m";
      padded = sgr + status + "\x1b[0m" + std::string(6 - status.size(), ' ');
    }
    std::string line =
        padded + o.name + std::string(name_width - o.name.size() + 2, ' ') + o.description;
    if (!o.detail.empty()) line += ": " + o.detail;
    out << line << '\n';
  }
  const int skipped = report.Count(CheckStatus::kSkip);
  out << fmt::format("checks: {} passed, {}{} warning{}, {} failed, {} error{}\n",
                     report.Count(CheckStatus::kPass),
                     skipped > 0 ? std::to_string(skipped) + " skipped, " : std::string(),
                     report.Count(CheckStatus::kWarn),
                     report.Count(CheckStatus::kWarn) == 1 ? "" : "s",
                     report.Count(CheckStatus::kFail), report.Count(CheckStatus::kError),
                     report.Count(CheckStatus::kError) == 1 ? "" : "s");
}

engine::QueryResult CheckReportAsResult(const CheckReport& report) {
  QueryResult result;
  result.columns = {{"check", ValueKind::kText},
                    {"status", ValueKind::kText},
                    {"failing_rows", ValueKind::kInteger},
                    {"description", ValueKind::kText},
                    {"detail", ValueKind::kText}};
  for (const CheckOutcome& o : report.outcomes) {
    result.rows.push_back(
        {o.name, std::string(CheckStatusName(o.status)),
         o.failing_rows ? ResultValue(std::to_string(*o.failing_rows)) : ResultValue(),
         o.description, o.detail.empty() ? ResultValue() : ResultValue(o.detail)});
  }
  return result;
}

Result<double> ParseMatchRate(std::string_view text) {
  std::string_view number = text;
  const bool percent = !number.empty() && number.back() == '%';
  if (percent) number.remove_suffix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(value)) {
    return Error::InvalidArgument("--min-match-rate \"" + std::string(text) +
                                  "\" is not a number: give a fraction (0.05) or a percentage "
                                  "(5%)");
  }
  if (percent) value /= 100;
  if (value < 0 || value > 1) {
    return Error::InvalidArgument("--min-match-rate \"" + std::string(text) +
                                  "\" is outside 0..1 (0%..100%)");
  }
  return value;
}

}  // namespace sparkify::analytics
