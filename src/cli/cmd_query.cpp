// sparkify query: the analytics team's questions by name, or any SQL.
#include <iostream>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/target_options.hpp"
#include "sparkify/analytics/format.hpp"
#include "sparkify/common/log.hpp"
#include "sparkify/sql/named_queries.hpp"
#include "sparkify/sql/read_only.hpp"

namespace sparkify::cli {
namespace {

struct QueryFlags {
  TargetOptions target;
  std::string name;
  std::optional<std::string> sql;
  std::string format = "table";
  std::optional<int64_t> limit;
  bool list = false;
};

int ListQueries(analytics::OutputFormat format) {
  engine::QueryResult list;
  list.columns = {{"name", engine::ValueKind::kText},
                  {"chart", engine::ValueKind::kText},
                  {"question", engine::ValueKind::kText}};
  for (const auto& q : sql::NamedQueries()) {
    list.rows.push_back(
        {std::string(q.name), std::string(sql::ChartTypeName(q.chart)), std::string(q.question)});
  }
  analytics::WriteResult(std::cout, list, format, {log::StdoutColorEnabled()});
  return kExitOk;
}

// Every query runs in a read-only transaction that is rolled back: with the lexical guard on
// --sql (sql/read_only.hpp) this keeps `query` from changing the warehouse.
Result<engine::QueryResult> QueryReadOnly(engine::Engine& engine, const std::string& text) {
  SPARKIFY_RETURN_IF_ERROR(engine.BeginReadOnly());
  Result<engine::QueryResult> result = engine.Query(text);
  Status rollback = engine.Rollback();
  if (result.ok() && !rollback.ok()) return rollback.take_error();
  return result;
}

int RunQueryCommand(const GlobalOptions& global, const QueryFlags& flags) {
  auto format = analytics::ParseOutputFormat(flags.format);
  if (!format.ok()) return ReportError(format.error());
  if (flags.list) return ListQueries(*format);
  if (flags.name.empty() == !flags.sql.has_value()) {
    return ReportError(Error::InvalidArgument(
        "give either a query name or --sql TEXT (see `sparkify query --list`)"));
  }
  if (flags.limit && *flags.limit < 0)
    return ReportError(Error::InvalidArgument("--limit must be >= 0"));
  if (flags.sql) {
    Status read_only = sql::CheckReadOnlyStatement(*flags.sql);
    if (!read_only.ok()) return ReportError(read_only.error());
  }
  const sql::NamedQuery* named = nullptr;
  if (!flags.name.empty()) {
    named = sql::FindNamedQuery(flags.name);
    if (named == nullptr) {
      return ReportError(Error::InvalidArgument("no query named \"" + flags.name +
                                                "\"; `sparkify query --list` shows them all"));
    }
  }
  auto target = OpenTargetFor(global, flags.target);
  if (!target.ok()) return ReportError(target.error());
  engine::Engine& engine = *target->engine;
  std::string text =
      named ? sql::RenderNamedQuery(*named, engine.dialect(), flags.limit) : *flags.sql;
  auto result = QueryReadOnly(engine, text);
  if (!result.ok())
    return ReportError(
        Error(result.error()).WithContext(named ? std::string(named->name) : "query"));
  if (!named && flags.limit && *flags.limit > 0 &&
      result->rows.size() > static_cast<size_t>(*flags.limit)) {
    result->rows.resize(static_cast<size_t>(*flags.limit));
  }
  analytics::WriteResult(std::cout, *result, *format, {log::StdoutColorEnabled()});
  return kExitOk;
}

}  // namespace

void AddQueryCommand(CLI::App& app, GlobalOptions& global, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "query",
      "Answer an analytics question by name, or run any SQL.\n"
      "Examples: sparkify query top_songs\n"
      "          sparkify query --sql \"select count(*) from fact_songplay\" --format csv\n"
      "--sql takes one read-only statement (select, with, values, show, describe, explain, ...);\n"
      "it runs in a read-only transaction that is rolled back.");
  auto flags = std::make_shared<QueryFlags>();
  AddTargetOptions(*cmd, flags->target);
  cmd->add_option("name", flags->name, "A named query (see --list)");
  cmd->add_option("--sql", flags->sql,
                  "One read-only SQL statement to run instead of a named query");
  cmd->add_option("--format", flags->format, "Output: table, csv or json")->capture_default_str();
  cmd->add_option("--limit", flags->limit, "At most N rows (0: all; default: the query's own)");
  cmd->add_flag("--list", flags->list, "List the named queries");
  cmd->callback([&global, &run, flags] {
    run = [&global, flags] { return RunQueryCommand(global, *flags); };
  });
}

}  // namespace sparkify::cli
