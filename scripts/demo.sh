#!/usr/bin/env bash
# The main job on a fresh machine: set up, build, then run the whole pipeline on embedded
# DuckDB over ../shared/data/sparkify and show what came out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${SPARKIFY_DATA:-$root/../shared/data/sparkify}
db=${SPARKIFY_DEMO_DB:-$root/sparkify.duckdb}
report=${SPARKIFY_DEMO_REPORT:-$root/report.html}
[ -d "$data/song_data" ] || { echo "demo: sample data not found at $data (set SPARKIFY_DATA)" >&2; exit 1; }

./scripts/setup.sh
./scripts/build.sh >/dev/null
sparkify=$root/build/sparkify
step() { printf '\n== %s\n' "$*" >&2; }

step "sparkify create-tables --target duckdb:$db"
"$sparkify" create-tables --target "duckdb:$db"
step "sparkify etl (row counts per table)"
"$sparkify" etl --target "duckdb:$db" --songs "$data/song_data" --events "$data/log_data"
for q in top_songs plays_by_hour plays_by_weekday free_vs_paid most_active_users platforms \
         session_length_stats match_rate; do
  step "sparkify query $q"
  "$sparkify" query "$q" --target "duckdb:$db"
done
step "sparkify check (data quality; exit 5 if a rule is broken)"
"$sparkify" check --target "duckdb:$db"
step "sparkify report --out $report (open it in a browser)"
"$sparkify" report --target "duckdb:$db" --out "$report"
echo "$report"
