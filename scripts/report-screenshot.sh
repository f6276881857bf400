#!/usr/bin/env bash
# Renders the report of the public sample with headless Chromium into docs/report.png (the
# picture in the README), reproducibly: fixed --now, fixed window, fresh browser profile.
#   SPARKIFY_DATA   sample data (default ../shared/data/sparkify)
#   WINDOW          width,height (default 1200,3000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${SPARKIFY_DATA:-$root/../shared/data/sparkify}
window=${WINDOW:-1200,3000}
sparkify=$root/build/sparkify
[ -x "$sparkify" ] || { echo "report-screenshot: build first (./scripts/build.sh)" >&2; exit 1; }
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "report-screenshot: apt-get install chromium" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$(cd "$data" && pwd)
cd "$work"  # the page names its engine: duckdb:sample.duckdb, not a random temp path
"$sparkify" -q create-tables --target duckdb:sample.duckdb
"$sparkify" -q etl --keep-staging --target duckdb:sample.duckdb --songs "$data/song_data" \
  --events "$data/log_data" >/dev/null
"$sparkify" -q report --target duckdb:sample.duckdb --now 2018-12-01T00:00:00Z \
  --out report.html
mkdir -p "$root/docs"
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size="$window" \
  --screenshot="$root/docs/report.png" "file://$work/report.html" >/dev/null 2>&1
echo "$root/docs/report.png"
