// `sparkify check`: data-quality checks on a loaded warehouse.
//
// The built-in checks (sql/checks.hpp: primary keys not NULL and unique, foreign keys resolve,
// tables not empty, no play counted twice, fact rows = NextSong events, dim_time rows =
// distinct play times), the song match rate against a floor, and user-defined checks: every
// *.sql file of a folder, in name order, each one read-only query returning the rows that
// break a rule (zero rows = pass), like a dbt data test. A user check's first line, when it
// is a `--` comment, is its description.
//
// Each check runs in its own read-only transaction that is rolled back, so a failing or
// broken check cannot change data or stop the others. A check that cannot run (bad SQL, a
// missing table) has status kError; that is different from a rule being broken (kFail).
// The staging rules are skipped (kSkip) when both staging tables are empty, as after
// `etl --transform direct` without --keep-staging.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sparkify/common/error.hpp"
#include "sparkify/engine/engine.hpp"
#include "sparkify/engine/query_result.hpp"

namespace sparkify::analytics {

enum class CheckStatus {
  kPass,
  kSkip,   // does not apply to this warehouse (staging rules without staging tables)
  kWarn,   // a rule with warn severity is broken (the match rate, by default)
  kFail,   // a rule is broken
  kError,  // the check could not run
};

const char* CheckStatusName(CheckStatus status);  // "PASS", "SKIP", "WARN", "FAIL", "ERROR"

struct CheckOutcome {
  std::string name;         // "unique.dim_user.user_id", "match_rate", "custom.no_future_plays"
  std::string description;  // the rule
  CheckStatus status = CheckStatus::kPass;
  std::optional<int64_t> failing_rows;  // for row-returning checks that ran
  std::string detail;  // why it failed or what was measured; for kPass may be empty
};

struct CheckOptions {
  double min_match_rate = 0.01;           // a fraction of plays, 0..1
  bool match_rate_is_error = false;       // false: below the floor is a warning
  std::optional<std::string> checks_dir;  // user-defined checks: every *.sql in it
  int64_t sample_rows = 3;                // failing rows quoted in a failure's detail
};

struct CheckReport {
  std::vector<CheckOutcome> outcomes;  // built-in checks, match rate, then user checks

  int Count(CheckStatus status) const;
};

// Runs every check. Fails only when a check cannot even be prepared: the checks folder is
// missing or unreadable (kNotFound / kIo) or a check file is empty or not one read-only
// statement (kInvalidArgument naming the file). Everything else is an outcome.
Result<CheckReport> RunChecks(engine::Engine& engine, const CheckOptions& options);

// One line per check: "PASS  unique.dim_user.user_id  dim_user.user_id is unique", then a
// summary line "checks: 25 passed, 1 warning, 0 failed, 0 errors" (", 3 skipped" after
// "passed" when some were).
void WriteCheckLines(std::ostream& out, const CheckReport& report, bool color);
// The report as a result: check, status, failing_rows, description, detail (for --format
// json|csv|table through analytics/format.hpp).
engine::QueryResult CheckReportAsResult(const CheckReport& report);

// The fraction in "0.05" or "5%": kInvalidArgument unless it is a number from 0 to 1 (0% to
// 100%).
Result<double> ParseMatchRate(std::string_view text);

}  // namespace sparkify::analytics
