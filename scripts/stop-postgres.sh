#!/usr/bin/env bash
# Stops the throwaway PostgreSQL cluster that scripts/start-postgres.sh recorded in its state
# file, and removes its folder (data, socket, log). Does nothing when no cluster is recorded.
#   SPARKIFY_PG_STATE   state file (default: <repo>/.deps/postgres/state)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${SPARKIFY_PG_STATE:-$root/.deps/postgres/state}
log() { printf 'stop-postgres: %s\n' "$*" >&2; }

[ -f "$state" ] || { log "no cluster recorded in $state"; exit 0; }
exec 9>"$state.lock"
flock -w 120 9 || { log "another script holds $state.lock"; exit 1; }
[ -f "$state" ] || exit 0
cd /
base=$(sed -n 's/^BASE_DIR=//p' "$state")
run_user=$(sed -n 's/^RUN_USER=//p' "$state")
bin=$(sed -n 's/^BIN=//p' "$state")
bin=${bin:-/usr/lib/postgresql/15/bin}

# Only ever touch a folder that start-postgres.sh made (it leaves a marker file there).
if [ -n "$base" ] && [ -f "$base/.sparkify-postgres" ]; then
  if [ -d "$base/data" ]; then
    if [ "$run_user" = "$(id -un)" ]; then
      "$bin/pg_ctl" stop -D "$base/data" -m fast -w -t 60 >/dev/null 2>&1 || true
    else
      runuser -u "$run_user" -- "$bin/pg_ctl" stop -D "$base/data" -m fast -w -t 60 >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$base"
  log "stopped and removed the cluster in $base"
else
  log "recorded folder ${base:-<none>} is not a sparkify cluster; only removing the state file"
fi
rm -f "$state"
