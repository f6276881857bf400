#!/usr/bin/env bash
# Stops the moto_server that scripts/start-moto.sh started (by its recorded pid, and only if
# that pid is still that moto_server). Safe to call when nothing runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state_dir=${SPARKIFY_MOTO_DIR:-$root/.moto}
state=$state_dir/state
[ -f "$state" ] || exit 0
pid=$(sed -n 's/^pid=//p' "$state")
port=$(sed -n 's/^port=//p' "$state")
rm -f "$state"
[ -n "$pid" ] || exit 0
cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
case "$cmdline" in
  *moto.server*"-p $port"*) ;;
  *) exit 0 ;;  # gone, or the pid now belongs to something else: leave it alone
esac
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 50); do
  kill -0 "$pid" 2>/dev/null || exit 0
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null || true
