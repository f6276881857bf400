#!/usr/bin/env bash
# The benchmark: sparkify against the peers of ../shared/peers, measured in the same run.
#
#   bench/run_bench.sh [SETS...]        SETS from: S M M3 L XL (default: M L)
#
# - builds sparkify in Release (build-release/), and the peers (their own build.sh);
# - generates the data sets under $BENCH_DATA (default /tmp/sparkify_bench) if absent:
#     S = 300 songs, 20,000 events (CI smoke)     M = 15,000 songs, 1,000,000 events, 1,000 users
#     M3 = 15,000 songs, 3,000,000 events, 3,000 users (memory: between M and L)
#     L = 100,000 songs, 10,000,000 events, 10,000 users
#     XL = 100,000 songs, 30,000,000 events, 30,000 users (memory bound; ~14 GB, remove after)
# - fetches the DuckDB C library the peers are written for (1.5.6) into /tmp/duck if absent;
# - runs run_peers.sh with sparkify at 1 and 2 threads as NEW_TOOL_CMD / NEW_TOOL_CMD2,
#   interleaved with the peers, RUNS times (default 3), and prints the harness's table.
# Knobs: RUNS, PEERS (default: the DuckDB and ceiling peers), BENCH_DATA, OUT, BENCH_BIN.
# ENGINE=postgres compares `etl --target postgresql://…` with the PostgreSQL peers instead
# (default PEERS "pg-native-s1 pg-native-s2"), on the peers' own throwaway cluster (default
# settings, 127.0.0.1:54329), in a database of its own (sparkify_bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers_dir=$root/../shared/peers
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(M L)
data_root=${BENCH_DATA:-/tmp/sparkify_bench}

# The PostgreSQL peers are Python (psycopg2, pandas from Debian).
if [ "${ENGINE:-duckdb}" = postgres ]; then
  SPARKIFY_EXTRA_APT="python3-psycopg2 python3-pandas" "$root/scripts/setup.sh"
else
  "$root/scripts/setup.sh"
fi
# BENCH_BIN: a sparkify binary already built (the CI smoke run uses the test build's); else
# a Release build in build-release/.
if [ -n "${BENCH_BIN:-}" ]; then
  bin=$BENCH_BIN
else
  SPARKIFY_SANITIZE=0 BUILD_DIR=$root/build-release BUILD_TYPE=Release "$root/scripts/build.sh" \
    -DSPARKIFY_BUILD_TESTS=OFF >/dev/null
  bin=$root/build-release/sparkify
fi

# The peers are written against DuckDB 1.5.6 (see their README).
if [ ! -f /tmp/duck/nb156/libduckdb.so ] || [ ! -f /tmp/duck/duckdb.h ]; then
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent @duckdb/node-bindings-linux-x64@1.5.6-r.1 >/dev/null &&
     tar -xzf duckdb-node-bindings-linux-x64-1.5.6-r.1.tgz package/libduckdb.so)
  mkdir -p /tmp/duck/nb156
  mv "$work/package/libduckdb.so" /tmp/duck/nb156/
  # duckdb.h of the same release: the C API header is stable across 1.4 -> 1.5 for what the
  # peers use; take it from our pinned copy.
  cp "$root/.deps/duckdb/include/duckdb.h" /tmp/duck/duckdb.h
  rm -rf "$work"
fi

generate() { # name songs events users
  local dir=$data_root/$1
  [ -f "$dir/.complete" ] && return 0
  echo "bench: generating $1 into $dir" >&2
  "$bin" --quiet generate --out "$dir" --songs "$2" --events "$3" --users "$4" --days 30 \
    --match-rate 0.05 --seed 42 --threads 2 --force
  touch "$dir/.complete"
}

default_peers="read-t1 read-t2 simdjson-t1 simdjson-t2 duck-ndjson-t1 duck-ndjson-t2u duck-app-chunk-t1 duck-app-chunk-t2"
for set in "${sets[@]}"; do
  case "$set" in
    S) generate S 300 20000 50 ;;
    M) generate M 15000 1000000 1000 ;;
    M3) generate M3 15000 3000000 3000 ;;
    L) generate L 100000 10000000 10000 ;;
    XL) generate XL 100000 30000000 30000 ;;
    *) echo "unknown set $set (S, M, M3, L or XL)" >&2; exit 2 ;;
  esac
  engine=${ENGINE:-duckdb}
  peers=${PEERS:-$default_peers}
  if [ "$engine" = postgres ]; then
    peers=${PEERS:-pg-native-s1 pg-native-s2}
    pg_base=${PG_ANCHOR_BASE:-/tmp/pg_anchor} pg_port=${PG_ANCHOR_PORT:-54329}
    # The harness starts the cluster for its PostgreSQL peers; start it first to make our db.
    if ! "$peers_dir/postgres/pg_cluster.sh" status "$pg_base" "$pg_port" 2>/dev/null |
      grep -q "server is running"; then
      "$peers_dir/postgres/pg_cluster.sh" start "$pg_base" "$pg_port" >/dev/null
      trap '"$peers_dir/postgres/pg_cluster.sh" stop "$pg_base" "$pg_port" >/dev/null' EXIT
    fi
    psql -q "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" -tAc \
      "select 1 from pg_database where datname = 'sparkify_bench'" | grep -q 1 ||
      psql -q "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" -c "create database sparkify_bench"
    export BENCH_PG_URI="postgresql://postgres@127.0.0.1:$pg_port/sparkify_bench"
  fi
  RUNS=${RUNS:-3} CLASSIC_EVENTS=0 PEERS=$peers \
    NEW_TOOL_CMD="$root/bench/sparkify_peer.sh {DIR} 1 $engine" \
    NEW_TOOL_CMD2="$root/bench/sparkify_peer.sh {DIR} 2 $engine" \
    SPARKIFY_BIN=$bin OUT=${OUT:-/tmp/sparkify_bench_results/$set-$(date +%Y%m%d-%H%M%S)} \
    "$peers_dir/run_peers.sh" "$data_root/$set"
done
