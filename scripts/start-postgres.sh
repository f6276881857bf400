#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster for tests and demos, and prints its connection URI
# on stdout (nothing else goes to stdout; progress and errors go to stderr).
#
#   - initdb + pg_ctl from the preinstalled binaries (SPARKIFY_PG_BIN, else `pg_config
#     --bindir`, else /usr/lib/postgresql/15/bin); data, socket and log in a fresh temp dir;
#   - listens on a unix socket (trust) and on 127.0.0.1 (scram-sha-256 password auth) on a
#     free TCP port; the printed URI uses the socket, as superuser "postgres", database
#     "postgres", so it holds no password;
#   - as root, the server runs as the OS user `postgres` (created when missing), because
#     PostgreSQL refuses to run as root;
#   - durability is off (fsync, full_page_writes): the cluster is for tests and is thrown away.
#
# Idempotent: when the cluster recorded in the state file is still running, its URI is printed
# again. A stale state file (dead server, removed folder) is cleaned up and a new cluster made.
# scripts/stop-postgres.sh stops exactly the recorded cluster and removes its folder.
#   SPARKIFY_PG_STATE   state file (default: <repo>/.deps/postgres/state, git-ignored)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${SPARKIFY_PG_STATE:-$root/.deps/postgres/state}

log() { printf 'start-postgres: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

bin=${SPARKIFY_PG_BIN:-}
if [ -z "$bin" ]; then
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    bin=$(pg_config --bindir)
  else
    bin=/usr/lib/postgresql/15/bin
  fi
fi
[ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] ||
  die "initdb/pg_ctl not found in $bin: apt-get install postgresql-15 (or run ./scripts/setup.sh), or set SPARKIFY_PG_BIN"

mkdir -p "$(dirname "$state")"
cd /  # the server's OS user may not be allowed into the caller's folder
# One start at a time per state file (two test runs in one checkout share the cluster).
exec 9>"$state.lock"
flock -w 120 9 || die "another start-postgres.sh holds $state.lock"

# Runs a command as the OS user $1.
as_user() {
  local user=$1
  shift
  if [ "$user" = "$(id -un)" ]; then
    "$@"
  else
    runuser -u "$user" -- "$@"
  fi
}

if [ "$(id -u)" -eq 0 ]; then
  run_user=postgres
  if ! id -u "$run_user" >/dev/null 2>&1; then
    log "creating OS user $run_user to run the server (PostgreSQL refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$run_user"
  fi
else
  run_user=$(id -un)
fi

# --- reuse the recorded cluster when it is alive ---------------------------------------------
if [ -f "$state" ]; then
  old_base=$(sed -n 's/^BASE_DIR=//p' "$state")
  old_uri=$(sed -n 's/^URI=//p' "$state")
  old_user=$(sed -n 's/^RUN_USER=//p' "$state")
  if [ -n "$old_base" ] && [ -d "$old_base/data" ] && [ -n "$old_uri" ] && [ -n "$old_user" ] &&
     as_user "$old_user" "$bin/pg_ctl" status -D "$old_base/data" >/dev/null 2>&1 &&
     "$bin/pg_isready" -q -d "$old_uri"; then
    log "reusing the running cluster in $old_base"
    printf '%s\n' "$old_uri"
    exit 0
  fi
  log "removing stale state $state"
  if [ -n "$old_base" ] && [ -d "$old_base" ] && [ -f "$old_base/.sparkify-postgres" ]; then
    if [ -d "$old_base/data" ] && [ -n "$old_user" ]; then
      as_user "$old_user" "$bin/pg_ctl" stop -D "$old_base/data" -m immediate >/dev/null 2>&1 || true
    fi
    rm -rf "$old_base"
  fi
  rm -f "$state"
fi

# --- a fresh cluster -------------------------------------------------------------------------
# The socket path must stay under 107 bytes, so the folder lives in /tmp unless TMPDIR is short.
tmp_root=${TMPDIR:-/tmp}
[ ${#tmp_root} -le 60 ] || tmp_root=/tmp
base=$(mktemp -d "$tmp_root/sparkify-pg.XXXXXX")
touch "$base/.sparkify-postgres"
chmod 0755 "$base"
mkdir -p "$base/data" "$base/socket"
[ "$run_user" = "$(id -un)" ] || chown -R "$run_user" "$base"
cleanup_failed() { rm -rf "$base"; }
trap cleanup_failed ERR

log "initdb into $base/data (as $run_user)"
if ! as_user "$run_user" "$bin/initdb" -D "$base/data" -U postgres --auth-local=trust \
     --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-sync >"$base/initdb.log" 2>&1; then
  cat "$base/initdb.log" >&2
  die "initdb failed"
fi

port_free() { # true when nothing listens on 127.0.0.1:$1
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

started=""
for attempt in 1 2 3 4 5 6 7 8; do
  port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
  port_free "$port" || continue
  if as_user "$run_user" "$bin/pg_ctl" start -D "$base/data" -w -t 60 -l "$base/server.log" -o \
      "-p $port -k $base/socket -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
      >/dev/null 2>&1 9>&-; then  # 9>&-: the server must not inherit (and hold) the lock
    started=yes
    break
  fi
  log "server did not start on port $port (attempt $attempt), trying another port"
  tail -n 5 "$base/server.log" >&2 || true
done
[ -n "$started" ] || { tail -n 20 "$base/server.log" >&2 || true; die "could not start the server"; }

uri="postgresql://postgres@/postgres?host=$base/socket&port=$port"
for _ in $(seq 1 100); do
  "$bin/pg_isready" -q -d "$uri" && break
  sleep 0.1
done
"$bin/pg_isready" -q -d "$uri" || die "server in $base does not accept connections"

tmp_state=$(mktemp "$state.XXXXXX")
{
  echo "BASE_DIR=$base"
  echo "PORT=$port"
  echo "RUN_USER=$run_user"
  echo "BIN=$bin"
  echo "URI=$uri"
} >"$tmp_state"
mv "$tmp_state" "$state"
trap - ERR
log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running in $base, port $port (127.0.0.1: password auth; socket: trust)"
printf '%s\n' "$uri"
