#!/usr/bin/env bash
# Starts moto_server (the AWS emulator the S3 integration tests talk to) on a free 127.0.0.1
# port in the background, waits until it answers, and prints its URL on stdout (nothing else).
# The pid and port go to a state file so that scripts/stop-moto.sh stops exactly this server.
#   SPARKIFY_MOTO_DIR   folder for the state file and moto's log (default: <repo>/.moto)
# moto runs without signature checks: its S3 verifier rejects some valid requests (see
# docs/S3.md); sparkify's signatures are proven by the SigV4 test vectors instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state_dir=${SPARKIFY_MOTO_DIR:-$root/.moto}
python=${PYTHON:-python3}
log() { printf 'start-moto: %s\n' "$*" >&2; }

if ! "$python" -c 'import moto, flask, flask_cors' 2>/dev/null; then
  log "python package moto (with its server extras) is not installed for $python."
  log "install it with: $python -m pip install 'moto[server]==5.2.1'"
  exit 1
fi
mkdir -p "$state_dir"
if [ -f "$state_dir/state" ]; then
  log "a previous moto_server may still run; stopping it first"
  "$root/scripts/stop-moto.sh" || true
fi

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

for attempt in 1 2 3; do
  port=$(free_port)
  # Own session and no inherited stdout: the caller's $(...) must not wait for moto to exit.
  setsid "$python" -m moto.server -H 127.0.0.1 -p "$port" >"$state_dir/moto.log" 2>&1 </dev/null &
  pid=$!
  printf 'pid=%s\nport=%s\n' "$pid" "$port" >"$state_dir/state"
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    if "$python" - "$port" <<'PY' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/moto-api/data.json" % sys.argv[1], timeout=1).read()
PY
      echo "http://127.0.0.1:$port"
      exit 0
    fi
    sleep 0.2
  done
  log "moto_server did not come up on port $port (attempt $attempt); log: $state_dir/moto.log"
  "$root/scripts/stop-moto.sh" || true
done
log "giving up: moto_server would not start"
exit 1
