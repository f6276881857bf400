#!/usr/bin/env bash
# Installs everything sparkify needs to build and test on a fresh Debian 12 machine.
# Idempotent: safe to re-run; does nothing that is already done.
#   - Debian packages (compiler tool chain and -dev libraries)
#   - DuckDB's C library (libduckdb.so + duckdb.h) from the npm registry, pinned by version
#     and SHA-256 in scripts/duckdb.lock, unpacked into the git-ignored .deps/duckdb/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

log() { printf 'setup: %s\n' "$*" >&2; }

apt_packages=(
  build-essential cmake pkg-config ninja-build
  libsimdjson-dev libcli11-dev libfmt-dev libpq-dev libcurl4-openssl-dev libssl-dev
  libpugixml-dev libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-client-15 time
  libxxhash-dev chromium fonts-dejavu-core zlib1g-dev ccache
  tmux  # the pseudo-terminal test of typed-in credentials (tests/cli/credentials_prompt_test.cpp)
)
if [ -n "${SPARKIFY_EXTRA_APT:-}" ]; then
  # shellcheck disable=SC2206
  apt_packages+=(${SPARKIFY_EXTRA_APT})
fi

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq || $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# --- DuckDB C library from npm, pinned ---------------------------------------------------
# shellcheck source=duckdb.lock
source "$root/scripts/duckdb.lock"
deps="$root/.deps/duckdb"
stamp="$deps/.installed-$DUCKDB_VERSION"
if [ -f "$stamp" ] && [ -f "$deps/lib/libduckdb.so" ] && [ -f "$deps/include/duckdb.h" ]; then
  log "DuckDB $DUCKDB_VERSION present in .deps/duckdb"
  exit 0
fi
command -v npm >/dev/null || { log "npm is required to fetch DuckDB (apt-get install npm)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { # package@version expected-sha256
  local spec=$1 want=$2 tgz
  for attempt in 1 2 3; do
    if tgz=$(cd "$work" && npm pack --silent "$spec" 2>/dev/null | tail -n 1) && [ -f "$work/$tgz" ]; then
      break
    fi
    log "npm pack $spec failed (attempt $attempt), retrying"; sleep $((attempt * 3))
  done
  [ -f "$work/$tgz" ] || { log "could not download $spec from the npm registry"; exit 1; }
  local got
  got=$(sha256sum "$work/$tgz" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    log "checksum mismatch for $spec: got $got, pinned $want"; exit 1
  fi
  echo "$work/$tgz"
}
log "fetching DuckDB $DUCKDB_VERSION from the npm registry"
lib_tgz=$(fetch "$DUCKDB_LIB_PACKAGE" "$DUCKDB_LIB_SHA256")
hdr_tgz=$(fetch "$DUCKDB_HEADER_PACKAGE" "$DUCKDB_HEADER_SHA256")
rm -rf "$deps" && mkdir -p "$deps/lib" "$deps/include"
tar -xzf "$lib_tgz" -C "$work" package/libduckdb.so
mv "$work/package/libduckdb.so" "$deps/lib/"
tar -xzf "$hdr_tgz" -C "$work" package/src/duckdb/src/include/duckdb.h
mv "$work/package/src/duckdb/src/include/duckdb.h" "$deps/include/"
touch "$stamp"
log "DuckDB $DUCKDB_VERSION installed into .deps/duckdb"
