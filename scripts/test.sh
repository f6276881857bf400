#!/usr/bin/env bash
# Sets up everything, starts the servers the tests need, builds, and runs every test.
#   SPARKIFY_SANITIZE=1   also build and run the suite under ASan+UBSan (build-asan/)
#   SPARKIFY_CRASH_TEST=0 skip the kill -9 crash test (scripts/crash_test.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# Each phase's wall time, printed at the end (the CI budget is 90 minutes; docs/BENCHMARKS.md).
phase_names=()
phase_seconds=()
phase_started=$SECONDS
phase_name=setup
phase() {
  phase_names+=("$phase_name")
  phase_seconds+=($((SECONDS - phase_started)))
  phase_name=$1
  phase_started=$SECONDS
}
print_phases() {
  phase done
  for i in "${!phase_names[@]}"; do
    printf 'test.sh: %-16s %5d s\n' "${phase_names[$i]}" "${phase_seconds[$i]}"
  done
  printf 'test.sh: %-16s %5d s\n' total "$SECONDS"
}

./scripts/setup.sh

cleanup() {
  for hook in "${cleanups[@]:-}"; do [ -n "$hook" ] && eval "$hook" || true; done
}
cleanups=()
trap cleanup EXIT

# Servers: each start script prints what the tests need and is stopped on exit.
if [ -x scripts/start-postgres.sh ]; then
  SPARKIFY_TEST_PG_URI=$(./scripts/start-postgres.sh)
  export SPARKIFY_TEST_PG_URI
  cleanups+=("./scripts/stop-postgres.sh")
fi
if [ -x scripts/start-moto.sh ]; then
  SPARKIFY_TEST_MOTO_URL=$(./scripts/start-moto.sh)
  export SPARKIFY_TEST_MOTO_URL
  cleanups+=("./scripts/stop-moto.sh")
fi

phase build
# Tests run in groups of up to 8 of one suite per process (cmake/GtestSuites.cmake): ~170
# processes instead of ~800, which under ASan+UBSan saves ~4 of 11 minutes. The sources compile
# 8 to a file (SPARKIFY_UNITY_BUILD): from a cold ccache, 3.4 instead of 7.6 minutes.
./scripts/build.sh -DSPARKIFY_WERROR=ON -DSPARKIFY_TESTS_GROUPED=ON -DSPARKIFY_UNITY_BUILD=ON
phase ctest
(cd build && ctest --output-on-failure --timeout 900 -j "$(nproc)")

# Crash test: etl killed with SIGKILL in every phase on DuckDB and PostgreSQL; the warehouse
# must be as before or as after, and the next etl must succeed (docs/CRASH_TEST.md, ~3 min).
if [ "${SPARKIFY_CRASH_TEST:-1}" = "1" ]; then
  phase crash_test
  SPARKIFY_BIN=$root/build/sparkify ./scripts/crash_test.sh
  # ... and killed while appending to the star (only new event files, ~1 min).
  SPLIT=append TRIALS=10 SPARKIFY_BIN=$root/build/sparkify ./scripts/crash_test.sh
fi

if [ "${SPARKIFY_SANITIZE:-1}" = "1" ]; then
  phase asan_build
  BUILD_DIR=$root/build-asan BUILD_TYPE=Debug ./scripts/build.sh -DSPARKIFY_SANITIZE=ON -DSPARKIFY_WERROR=ON \
    -DSPARKIFY_TESTS_GROUPED=ON -DSPARKIFY_UNITY_BUILD=ON
  phase asan_ctest
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     ctest --output-on-failure --timeout 1800 -j "$(nproc)")
fi

# Fuzzing: every libFuzzer target for a bounded time from the seed corpus (scripts/fuzz.sh).
if [ "${SPARKIFY_FUZZ_SECONDS:-60}" != "0" ]; then
  phase fuzz
  ./scripts/fuzz.sh "${SPARKIFY_FUZZ_SECONDS:-60}"
fi

# Benchmark smoke run: the bench script still works and sparkify's counts agree with the peers'
# (a tiny set; the real numbers are in docs/BENCHMARKS.md, measured with bench/run_bench.sh M L).
if [ "${SPARKIFY_BENCH_SMOKE:-1}" = "1" ]; then
  phase bench_smoke
  smoke_log=$(mktemp)
  RUNS=1 PEERS="simdjson-t1 duck-ndjson-t1" BENCH_DATA=$(mktemp -d) OUT=$(mktemp -d) \
    BENCH_BIN=$root/build/sparkify \
    bench/run_bench.sh S >"$smoke_log" 2>&1 || { cat "$smoke_log"; exit 1; }
  grep -q '^Agreement: all peers agree' "$smoke_log" || { cat "$smoke_log"; echo "bench smoke: counts disagree" >&2; exit 1; }
  echo "bench smoke: sparkify and the peers agree on every count"
fi
print_phases
