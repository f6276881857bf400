#!/usr/bin/env bash
# Configures and builds sparkify (build/sparkify) and its tests. Extra arguments go to cmake.
#   BUILD_DIR   build folder (default build)
#   BUILD_TYPE  CMake build type (default RelWithDebInfo)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# ccache (scripts/setup.sh installs it): a rebuild of unchanged sources, by CI on the machine
# that built them, or after switching branches, is a cache hit.
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
# Paths below the checkout hash as relative ones, so another clone of the same sources hits too.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" "${generator[@]}" "${launcher[@]}" \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
elif [ $# -gt 0 ]; then
  cmake "$build_dir" "$@" >/dev/null
fi
cmake --build "$build_dir" --parallel "$(nproc)"
