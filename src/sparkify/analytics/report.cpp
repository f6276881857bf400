#include "sparkify/analytics/report.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <utility>

#include "sparkify/analytics/chart.hpp"
#include "sparkify/analytics/html.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/sql/report_queries.hpp"

namespace sparkify::analytics {
namespace {

using engine::QueryResult;
using engine::ResultValue;
using engine::ValueKind;

// --- time ----------------------------------------------------------------------------------------
// Civil-date arithmetic from Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms"
// (https://howardhinnant.github.io/date_algorithms.html): no time zone database, no locale.

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

std::optional<int64_t> Digits(std::string_view s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return {};
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// --- query results -------------------------------------------------------------------------------

std::optional<size_t> ColumnIndex(const QueryResult& result, std::string_view name) {
  for (size_t c = 0; c < result.columns.size(); ++c) {
    if (result.columns[c].name == name) return c;
  }
  return std::nullopt;
}

const ResultValue& Cell(const QueryResult& result, size_t row, size_t column) {
  static const ResultValue kNull;
  if (row >= result.rows.size() || column >= result.rows[row].size()) return kNull;
  return result.rows[row][column];
}

// Fills a label template: "{first_name} {last_name}" with the row's values.
std::string FillLabel(std::string_view label, const QueryResult& result, size_t row) {
  std::string out;
  size_t pos = 0;
  while (pos < label.size()) {
    const size_t open = label.find('{', pos);
    if (open == std::string_view::npos) {
      out.append(label.substr(pos));
      break;
    }
    const size_t close = label.find('}', open);
    if (close == std::string_view::npos) {
      out.append(label.substr(pos));
      break;
    }
    out.append(label.substr(pos, open - pos));
    const std::optional<size_t> c = ColumnIndex(result, label.substr(open + 1, close - open - 1));
    if (c) out += Cell(result, row, *c).value_or("NULL");
    pos = close + 1;
  }
  return out;
}

double NumberOf(const ResultValue& value) {
  if (!value) return 0;
  double d = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), d);
  return ec == std::errc() ? d : 0;
}

std::vector<ChartDatum> ChartData(const sql::NamedQuery& query, const QueryResult& result) {
  std::vector<ChartDatum> data;
  if (query.chart == sql::ChartType::kFigures) {
    for (size_t c = 0; c < result.columns.size(); ++c) {
      std::string label = result.columns[c].name;
      for (char& ch : label) ch = ch == '_' ? ' ' : ch;
      const ResultValue& v = Cell(result, 0, c);
      data.push_back({label, NumberOf(v), DisplayValue(v, result.columns[c].kind)});
    }
    return data;
  }
  const std::optional<size_t> value_column = ColumnIndex(result, query.value);
  if (!value_column) return data;
  const ValueKind kind = result.columns[*value_column].kind;
  for (size_t r = 0; r < result.rows.size(); ++r) {
    const ResultValue& v = Cell(result, r, *value_column);
    data.push_back({FillLabel(query.label, result, r), NumberOf(v), DisplayValue(v, kind)});
  }
  return data;
}

std::string HtmlTableRows(const QueryResult& result, size_t begin, size_t end) {
  std::string html = "<table>\n<thead><tr>";
  for (const engine::ResultColumn& c : result.columns) {
    html += IsNumeric(c.kind) ? "<th class=\"num\">" : "<th>";
    html += EscapeHtml(c.name) + "</th>";
  }
  html += "</tr></thead>\n<tbody>\n";
  for (size_t r = begin; r < end; ++r) {
    html += "<tr>";
    for (size_t c = 0; c < result.columns.size(); ++c) {
      const ResultValue& v = Cell(result, r, c);
      const bool numeric = IsNumeric(result.columns[c].kind);
      html += !v ? "<td class=\"null\">" : numeric ? "<td class=\"num\">" : "<td>";
      html += EscapeHtml(DisplayValue(v, result.columns[c].kind)) + "</td>";
    }
    html += "</tr>\n";
  }
  if (result.rows.empty()) {
    html += fmt::format("<tr><td class=\"muted\" colspan=\"{}\">No rows.</td></tr>\n",
                        std::max<size_t>(1, result.columns.size()));
  }
  return html + "</tbody>\n</table>\n";
}

// Every row, in one table or, past 12 rows of up to 3 columns, in up to 3 tables side by side
// (they wrap under each other on a narrow screen), so a 24-hour or 30-day table stays short.
std::string HtmlTable(const QueryResult& result, std::string_view caption) {
  std::string html = "<div class=\"table-wrap\">\n";
  if (!caption.empty()) html += "<p class=\"caption\">" + EscapeHtml(caption) + "</p>\n";
  const size_t rows = result.rows.size();
  const size_t parts =
      rows > 12 && result.columns.size() <= 3 ? std::min<size_t>(3, (rows + 7) / 8) : 1;
  if (parts == 1) return html + HtmlTableRows(result, 0, rows) + "</div>\n";
  const size_t per_part = (rows + parts - 1) / parts;
  html += "<div class=\"table-parts\">\n";
  for (size_t begin = 0; begin < rows; begin += per_part) {
    html += HtmlTableRows(result, begin, std::min(rows, begin + per_part));
  }
  return html + "</div>\n</div>\n";
}

const ReportQuery* FindResult(const ReportData& data, std::string_view name) {
  for (const ReportQuery& q : data.queries) {
    if (q.query != nullptr && q.query->name == name) return &q;
  }
  return nullptr;
}

// The value in `value_column` of the row whose `key_column` is `key`, if any.
std::optional<double> Lookup(const ReportData& data, std::string_view query,
                             std::string_view key_column, std::string_view key,
                             std::string_view value_column) {
  const ReportQuery* q = FindResult(data, query);
  if (q == nullptr) return std::nullopt;
  const std::optional<size_t> k = ColumnIndex(q->result, key_column);
  const std::optional<size_t> v = ColumnIndex(q->result, value_column);
  if (!k || !v) return std::nullopt;
  for (size_t r = 0; r < q->result.rows.size(); ++r) {
    if (Cell(q->result, r, *k) == ResultValue(std::string(key))) {
      return NumberOf(Cell(q->result, r, *v));
    }
  }
  return std::nullopt;
}

std::string Count(std::optional<double> v) {
  if (!v) return "n/a";
  return log::WithThousands(static_cast<uint64_t>(*v));
}

int64_t LoadErrorTotal(const ReportData& data) {
  int64_t total = 0;
  const std::optional<size_t> c = ColumnIndex(data.load_errors_by_class, "errors");
  if (!c) return 0;
  for (size_t r = 0; r < data.load_errors_by_class.rows.size(); ++r) {
    total += static_cast<int64_t>(NumberOf(Cell(data.load_errors_by_class, r, *c)));
  }
  return total;
}

// --- the page
// --------------------------------------------------------------------------------------

// System fonts only; DejaVu Sans (fonts-dejavu-core) keeps the rendering stable on Debian.
constexpr std::string_view kStyle = R"css(
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --bar: #3f6fb0; --accent: #3f6fb0;
  --s0: #3f6fb0; --s1: #e8833a; --s2: #4f9a5b; --s3: #c2464b; --s4: #8a6bbf; --s5: #9c7a3c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1419; --fg: #e6edf3; --muted: #9aa5b1; --line: #30363d; --panel: #161b22;
    --bar: #6ea8fe; --accent: #6ea8fe;
    --s0: #6ea8fe; --s1: #f5a35c; --s2: #72c17f; --s3: #f07178; --s4: #b597f0; --s5: #d6b26e;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
main, header, footer { max-width: 980px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
h1 { font-size: 1.7rem; margin: 0 0 6px; }
h2 { font-size: 1.25rem; margin: 0 0 2px; }
.meta, .question, .muted, .caption, footer { color: var(--muted); }
.question { margin: 0 0 10px; }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0; padding: 0; }
.kpis div { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 14px; min-width: 120px; flex: 1 1 120px; }
.kpis dt { color: var(--muted); font-size: 0.8rem; }
.kpis dd { margin: 0; font-size: 1.35rem; font-weight: bold; overflow-wrap: anywhere; }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; margin: 0 0 8px;
  list-style: none; font-size: 0.9rem; }
a { color: var(--accent); }
section { border-top: 1px solid var(--line); padding: 18px 0 10px; }
figure { margin: 0 0 8px; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px;
  font-family: "DejaVu Sans", system-ui, sans-serif; }
svg .bar { fill: var(--bar); }
svg .seg0 { fill: var(--s0); } svg .seg1 { fill: var(--s1); } svg .seg2 { fill: var(--s2); }
svg .seg3 { fill: var(--s3); } svg .seg4 { fill: var(--s4); } svg .seg5 { fill: var(--s5); }
svg .track { fill: var(--panel); stroke: var(--line); }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .line { fill: none; stroke: var(--bar); stroke-width: 2; }
svg .area { fill: var(--bar); opacity: 0.15; }
svg .dot { fill: var(--bar); }
svg text { fill: var(--fg); }
svg .tick, svg .muted { fill: var(--muted); font-size: 11px; }
svg .val { font-size: 11px; }
svg .inbar { fill: #ffffff; font-size: 12px; font-weight: bold; }
svg .fig { font-size: 28px; font-weight: bold; }
.table-wrap { overflow-x: auto; }
.table-parts { display: flex; flex-wrap: wrap; gap: 0 28px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 4px 0 8px; }
.caption { margin: 8px 0 0; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left;
  vertical-align: top; }
th { font-weight: bold; white-space: nowrap; }
td { overflow-wrap: anywhere; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.null { color: var(--muted); font-style: italic; }
footer { font-size: 0.85rem; padding-bottom: 30px; }
@media (max-width: 600px) {
  body { font-size: 14px; }
  main, header, footer { padding: 0 12px; }
  h1 { font-size: 1.4rem; }
  .kpis div { min-width: 40%; }
  figure { overflow-x: auto; }
  svg.chart { min-width: 520px; }
}
@media print {
  section { break-inside: avoid; }
  nav { display: none; }
}
)css";

std::string Kpi(std::string_view label, std::string_view value) {
  return "<div><dt>" + EscapeHtml(label) + "</dt><dd>" + EscapeHtml(value) + "</dd></div>\n";
}

std::string Header(const ReportData& data) {
  std::string html = "<header>\n<h1>Sparkify warehouse report</h1>\n<p class=\"meta\">";
  if (data.first_play && data.last_play) {
    html += "Plays from <time>" + EscapeHtml(*data.first_play) + "</time> to <time>" +
            EscapeHtml(*data.last_play) + "</time> UTC";
  } else {
    html += "No plays loaded";
  }
  html += " &middot; engine <code>" + EscapeHtml(data.engine) + "</code> &middot; made " +
          EscapeHtml(data.generated_at) + "</p>\n<dl class=\"kpis\">\n";
  const std::optional<double> plays =
      Lookup(data, "table_row_counts", "table_name", "fact_songplay", "row_count");
  html += Kpi("song plays", Count(plays));
  html +=
      Kpi("users", Count(Lookup(data, "table_row_counts", "table_name", "dim_user", "row_count")));
  html += Kpi("paid / free users",
              Count(Lookup(data, "users_by_level", "level", "paid", "users")) + " / " +
                  Count(Lookup(data, "users_by_level", "level", "free", "users")));
  html +=
      Kpi("songs", Count(Lookup(data, "table_row_counts", "table_name", "dim_song", "row_count")));
  html += Kpi("artists",
              Count(Lookup(data, "table_row_counts", "table_name", "dim_artist", "row_count")));
  const std::optional<double> matched =
      Lookup(data, "match_rate", "song_match", "matched", "plays");
  html += Kpi("song match rate", matched && plays && *plays > 0 ? FormatPercent(*matched / *plays)
                                                                : std::string("n/a"));
  html += Kpi("load errors", log::WithThousands(static_cast<uint64_t>(LoadErrorTotal(data))));
  html += "</dl>\n<nav><ul>\n";
  for (const ReportQuery& q : data.queries) {
    html += "<li><a href=\"#" + EscapeHtml(q.query->name) + "\">" + EscapeHtml(q.query->title) +
            "</a></li>\n";
  }
  html += "<li><a href=\"#load_errors\">Load errors</a></li>\n</ul></nav>\n</header>\n";
  return html;
}

std::string QuerySection(const ReportQuery& q) {
  const sql::NamedQuery& query = *q.query;
  ChartOptions options;
  options.type = query.chart;
  options.title = std::string(query.title);
  options.value_name = std::string(query.value);
  for (char& ch : options.value_name) ch = ch == '_' ? ' ' : ch;
  std::string html = "<section id=\"" + EscapeHtml(query.name) + "\">\n<h2>" +
                     EscapeHtml(query.title) + "</h2>\n<p class=\"question\">" +
                     EscapeHtml(query.question) + " <code>sparkify query " +
                     EscapeHtml(query.name) + "</code></p>\n<figure>\n";
  html += RenderChartSvg(options, ChartData(query, q.result));
  html += "</figure>\n";
  html += HtmlTable(q.result, {});
  return html + "</section>\n";
}

std::string LoadErrorsSection(const ReportData& data) {
  const int64_t total = LoadErrorTotal(data);
  std::string html = "<section id=\"load_errors\">\n<h2>Load errors</h2>\n<p class=\"question\">";
  if (total == 0) {
    return html + "No record was rejected while loading (the load_errors table is empty).</p>\n" +
           "</section>\n";
  }
  html += EscapeHtml(log::WithThousands(static_cast<uint64_t>(total))) + " record" +
          (total == 1 ? "" : "s") +
          " could not be loaded; every one is in the <code>load_errors</code> table. "
          "<code>sparkify query --sql \"select * from load_errors\"</code></p>\n";
  html += HtmlTable(data.load_errors_by_class, "By table and kind of error");
  html += HtmlTable(data.first_load_errors,
                    fmt::format("The first {} by table, file and line", kReportLoadErrorRows));
  return html + "</section>\n";
}

}  // namespace

Result<ReportData> CollectReportData(engine::Engine& engine, std::string generated_at) {
  ReportData data;
  data.engine = engine.Describe();
  data.generated_at = std::move(generated_at);
  SPARKIFY_RETURN_IF_ERROR(engine.BeginReadOnly());
  auto run = [&](std::string_view name, const std::string& sql) -> Result<QueryResult> {
    Result<QueryResult> r = engine.Query(sql);
    if (!r.ok()) return r.take_error().WithContext("report: " + std::string(name));
    return r;
  };
  Status status = [&]() -> Status {
    SPARKIFY_ASSIGN_OR_RETURN(QueryResult range,
                              run("time range", sql::PlayTimeRange(engine.dialect())));
    data.first_play = Cell(range, 0, 0);
    data.last_play = Cell(range, 0, 1);
    for (const sql::NamedQuery& q : sql::NamedQueries()) {
      SPARKIFY_ASSIGN_OR_RETURN(QueryResult result,
                                run(q.name, sql::RenderNamedQuery(q, engine.dialect())));
      data.queries.push_back({&q, std::move(result)});
    }
    SPARKIFY_ASSIGN_OR_RETURN(data.load_errors_by_class,
                              run("load errors", sql::LoadErrorsByClass(engine.dialect())));
    SPARKIFY_ASSIGN_OR_RETURN(
        data.first_load_errors,
        run("load errors", sql::FirstLoadErrors(engine.dialect(), kReportLoadErrorRows)));
    return Status::Ok();
  }();
  Status rollback = engine.Rollback();
  SPARKIFY_RETURN_IF_ERROR(status);
  SPARKIFY_RETURN_IF_ERROR(rollback);
  return data;
}

std::string RenderReportHtml(const ReportData& data) {
  std::string html =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"color-scheme\" content=\"light dark\">\n"
      "<meta name=\"generator\" content=\"sparkify\">\n"
      "<title>Sparkify warehouse report</title>\n<style>";
  html += kStyle;
  html += "</style>\n</head>\n<body>\n";
  html += Header(data);
  html += "<main>\n";
  for (const ReportQuery& q : data.queries) html += QuerySection(q);
  html += LoadErrorsSection(data);
  html += "</main>\n<footer>\n<p>Made by <code>sparkify report</code> on " +
          EscapeHtml(data.generated_at) +
          ". Times are UTC; weeks are ISO-8601 weeks; plays are rows of fact_songplay. This page "
          "loads nothing from the network and runs no script.</p>\n</footer>\n</body>\n</html>\n";
  return html;
}

Result<std::string> ParseReportTime(std::string_view text) {
  auto invalid = [&] {
    return Error::InvalidArgument("--now \"" + std::string(text) +
                                  "\" is not a time: use YYYY-MM-DDTHH:MM:SSZ, "
                                  "\"YYYY-MM-DD HH:MM:SS\" (UTC) or @EPOCH_SECONDS");
  };
  if (!text.empty() && text.front() == '@') {
    const std::optional<int64_t> seconds = Digits(text.substr(1));
    if (!seconds || *seconds > 253402300799) return invalid();  // up to 9999-12-31
    return FormatReportTime(*seconds);
  }
  std::string_view t = text;
  if (t.size() == 20 && t.back() == 'Z') t.remove_suffix(1);
  if (t.size() != 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':') {
    return invalid();
  }
  const auto year = Digits(t.substr(0, 4)), month = Digits(t.substr(5, 2)),
             day = Digits(t.substr(8, 2)), hour = Digits(t.substr(11, 2)),
             minute = Digits(t.substr(14, 2)), second = Digits(t.substr(17, 2));
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 ||
      *day < 1 || *day > DaysInMonth(*year, *month) || *hour > 23 || *minute > 59 || *second > 59) {
    return invalid();
  }
  return FormatReportTime(DaysFromCivil(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 +
                          *second);
}

std::string FormatReportTime(int64_t epoch_seconds) {
  int64_t days = epoch_seconds / 86400;
  int64_t rest = epoch_seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    days -= 1;
  }
  int64_t y = 0, m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", y, m, d, rest / 3600,
                     rest / 60 % 60, rest % 60);
}

}  // namespace sparkify::analytics
