#!/usr/bin/env bash
# Runs sparkify as a peer of ../shared/peers/run_peers.sh: one full etl of DIR into a fresh
# DuckDB file, printing the harness protocol on stdout (PHASE lines, then one CHECK line).
#   bench/sparkify_peer.sh DIR THREADS [duckdb|postgres]
set -euo pipefail
dir=$1 threads=$2 engine=${3:-duckdb}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SPARKIFY_BIN:-$root/build-release/sparkify}
if [ "$engine" = duckdb ]; then
  db=${BENCH_DB:-/tmp/sparkify_bench_$$.duckdb}
  rm -f "$db" "$db.wal"
  target="duckdb:$db"
else
  target=${BENCH_PG_URI:?set BENCH_PG_URI for the postgres engine}
fi
# Every run is a full load, as every peer's is (etl is incremental by default).
# etl prints its per-phase timings on stderr with --timings; the harness reads stdout.
# The default (direct) transform keeps no staging tables, so CHECK leaves the staging counts out
# (the harness compares only the keys both sides print); every star count is compared.
"$bin" --quiet etl --target "$target" --songs "$dir/song_data" --events "$dir/log_data" \
  --threads "$threads" --full-refresh --timings --format csv 2>&1 >/dev/null |
  awk '/^PHASE/ && $2 !~ /\./ { if ($2 == "stage_songs" || $2 == "stage_events" || $2 == "transform") print; else other += $3 }
       END { printf "PHASE other %.3f\n", other }'
check=$("$bin" --quiet query --target "$target" --format csv --sql "
select
  (select count(*) from fact_songplay) as songplays,
  (select count(song_id) from fact_songplay) as songplays_matched,
  (select count(*) from dim_user) as users,
  (select count(*) from dim_user where level = 'paid') as users_paid,
  (select count(*) from dim_song) as songs,
  (select count(*) from dim_artist) as artists,
  (select count(latitude) from dim_artist) as artists_with_lat,
  (select count(*) from dim_time) as times,
  (select sum(hour + day + week + month + year + weekday) from dim_time) as time_sum,
  (select sum(cast(user_id as bigint)) from fact_songplay) as fact_user_sum" | tr -d '\r')
paste -d= <(head -1 <<<"$check" | tr ',' '\n') <(tail -1 <<<"$check" | tr ',' '\n') |
  tr '\n' ' ' | sed 's/^/CHECK /; s/ $/\n/'
[ "$engine" = duckdb ] && rm -f "$db" "$db.wal"
exit 0
