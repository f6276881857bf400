// `sparkify report`: one self-contained HTML page for a person to look at. Every question of
// the named query catalog (sql/named_queries.hpp) as an inline-SVG chart with its numbers in a
// table under it, headed by the data's time range, the engine, when the report was made, key
// figures (plays, users, match rate, row counts) and ending with the load errors summary.
//
// The page needs nothing else: no script, no style sheet, font or image from the network
// (only internal #anchors are linked); it reads in light and dark colour schemes and at phone
// width. All text from the data is escaped. The same data and generated_at give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/engine/query_result.hpp"
#include "sparkify/sql/named_queries.hpp"

namespace sparkify::analytics {

struct ReportQuery {
  const sql::NamedQuery* query = nullptr;  // points into sql::NamedQueries(), never owned
  engine::QueryResult result;              // with the query's default limit
};

struct ReportData {
  std::string engine;        // Engine::Describe(): password-free
  std::string generated_at;  // "YYYY-MM-DD HH:MM:SS UTC"
  engine::ResultValue first_play;
  engine::ResultValue last_play;
  std::vector<ReportQuery> queries;          // the whole catalog, in catalog order
  engine::QueryResult load_errors_by_class;  // table_name, reason_class, errors
  engine::QueryResult first_load_errors;     // table_name, file, line, reason, excerpt
};

// How many load errors the report lists one by one.
inline constexpr int64_t kReportLoadErrorRows = 10;

// Runs every catalog query and the report's own queries in one read-only transaction (one
// consistent snapshot), rolled back at the end. Fails with the first query's error, with the
// query's name as context (e.g. a warehouse without tables: run create-tables and etl first).
Result<ReportData> CollectReportData(engine::Engine& engine, std::string generated_at);

// The HTML page. Pure: the same data gives the same bytes.
std::string RenderReportHtml(const ReportData& data);

// --now: "YYYY-MM-DDTHH:MM:SSZ", "YYYY-MM-DD HH:MM:SS" (both UTC) or "@SECONDS" since the
// epoch, as "YYYY-MM-DD HH:MM:SS UTC". kInvalidArgument for anything else.
Result<std::string> ParseReportTime(std::string_view text);
// Seconds since the epoch as "YYYY-MM-DD HH:MM:SS UTC".
std::string FormatReportTime(int64_t epoch_seconds);

}  // namespace sparkify::analytics
