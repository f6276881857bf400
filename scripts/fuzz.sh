#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan+UBSan) and runs each for a bounded time from the
# seed corpus in fuzz/corpus/<target>/ (copied; finds are not written back into the repo).
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# A crash leaves its input in $FUZZ_OUT/<target>/ (default build-fuzz/findings) and fails the
# script; turn it into a regression test before fixing it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
SPARKIFY_EXTRA_APT="clang-14 libfuzzer-14-dev" "$root/scripts/setup.sh"
build=$root/build-fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja "${launcher[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSPARKIFY_FUZZ=ON -DSPARKIFY_BUILD_TESTS=OFF -DSPARKIFY_UNITY_BUILD=ON >/dev/null
fi
cmake --build "$build" --parallel "$(nproc)" --target fuzz_targets >/dev/null
out=${FUZZ_OUT:-$build/findings}
# One target per core at a time (each runs for the full SECONDS on one core, as before).
parallel=${FUZZ_JOBS:-$(nproc)}
run_target() {
  local target=$1 corpus log rc=0
  corpus=$(mktemp -d)
  cp "$root/fuzz/corpus/$target/"* "$corpus/"
  mkdir -p "$out/$target"
  log=$out/$target.log
  "$build/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -artifact_prefix="$out/$target/" "$corpus" >"$log" 2>&1 || rc=$?
  rm -rf "$corpus"
  if [ "$rc" -eq 0 ]; then
    printf 'fuzz %-12s %s\n' "$target" "$(grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -1)"
    return 0
  fi
  printf 'fuzz %-12s FAILED (see %s)\n' "$target" "$log"
  tail -30 "$log"
  return 1
}
for target in event_lines song_file ini_file aws_xml sigv4; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  rm -f "$out/$target.failed"
  run_target "$target" || touch "$out/$target.failed" &
done
wait
status=0
for target in event_lines song_file ini_file aws_xml sigv4; do
  [ ! -e "$out/$target.failed" ] || status=1
done
exit $status
