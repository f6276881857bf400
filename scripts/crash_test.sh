#!/usr/bin/env bash
# Crash test of `sparkify etl`: SIGKILL at random moments across every phase, on DuckDB and
# PostgreSQL. SPEC §3/§6: "a whole run commits or nothing does"; "a crash or kill at any moment
# leaves the warehouse as it was before the run or as after it". docs/CRASH_TEST.md explains it.
#
# Per engine: generate a few hundred raw files once and split them into A (the "before" data)
# and B (the rest); compute the reference stars BEFORE (clean etl over A) and AFTER (clean etl
# over A+B); time one uninterrupted etl from the BEFORE state to A+B with --timings to learn
# where each phase lies in time; then per trial:
#   1. prepare the database in the BEFORE state: a clean etl over a fresh source folder with A;
#   2. snapshot the star (per star table: its row count and the sum of a hash of every row, all
#      columns, computed by the engine: the same for the same rows in any order);
#   3. add B's files to the source folder, start `sparkify etl` in the background and SIGKILL
#      it after a delay drawn from one phase's time range (stratified, seeded);
#   4. snapshot again: BEFORE, AFTER, or CORRUPT (anything else, unreadable database included);
#   5. run `sparkify etl` again with no cleanup in between: it must succeed and give AFTER.
# Prints a table of the trials and a summary; exits 1 when any trial is CORRUPT, a rerun fails
# or differs, or the setup itself fails.
#
#   TRIALS=20                  kills per engine
#   ENGINES="duckdb postgresql"
#   SEED=<random>              seed of the kill delays (printed; reuse it to repeat a run)
#   PHASES="commit ..."        aim the kills only at these phases (names as in the calibration line)
#   DELAYS_MS="..."            fixed kill delays instead of random ones (to repeat one trial)
#   ETL_ARGS="..."             extra arguments for every etl, e.g. "--transform sql --threads 1"
#   OUT=FILE                   also write the report (settings, calibration, table) to FILE
#   SPARKIFY_BIN=PATH          binary to test (default build-release/sparkify, built when missing)
#   SPARKIFY_TEST_PG_URI=URI   PostgreSQL server (a user that may CREATE DATABASE); when unset
#                              scripts/start-postgres.sh starts one and it is stopped at the end
#   CRASH_SONGS=300 CRASH_EVENTS=150000 CRASH_USERS=500 CRASH_DAYS=60   generated data
#   CRASH_WORK_DIR=DIR         scratch folder (default: a new temp folder)
#   KEEP=1                     keep the scratch folder (always kept when a trial fails)
set -euo pipefail
shopt -s extglob
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)

trials=${TRIALS:-20}
engines=${ENGINES:-"duckdb postgresql"}
seed=${SEED:-$(( ($(date +%s) ^ $$) % 1000000 ))}
out_file=${OUT:-}
songs_n=${CRASH_SONGS:-300}
events_n=${CRASH_EVENTS:-150000}
users_n=${CRASH_USERS:-500}
days_n=${CRASH_DAYS:-60}
keep=${KEEP:-0}
star_tables=(fact_songplay dim_user dim_song dim_artist dim_time)
read -r -a fixed_delays <<<"${DELAYS_MS:-}"
read -r -a etl_args <<<"${ETL_ARGS:-}"
aim_phases=${PHASES:-}

log() { printf 'crash_test: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

if ! [[ $trials =~ ^[0-9]+$ ]] || [ "$trials" -lt 1 ]; then die "TRIALS must be a positive integer"; fi
[[ $seed =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer"
for e in $engines; do
  case $e in duckdb | postgresql) ;; *) die "unknown engine '$e' in ENGINES (duckdb, postgresql)" ;; esac
done
for d in "${fixed_delays[@]}"; do [[ $d =~ ^[0-9]+$ ]] || die "DELAYS_MS holds '$d', not milliseconds"; done

# --- the binary ----------------------------------------------------------------------------
bin=${SPARKIFY_BIN:-}
if [ -z "$bin" ]; then
  bin=$root/build-release/sparkify
  if [ ! -x "$bin" ]; then
    log "no $bin: building it (BUILD_DIR=build-release BUILD_TYPE=Release scripts/build.sh)"
    "$root/scripts/setup.sh"
    BUILD_DIR=$root/build-release BUILD_TYPE=Release "$root/scripts/build.sh" >&2
  elif [ -n "$(find "$root/src" -newer "$bin" -type f -print -quit)" ]; then
    log "warning: $bin is older than files in src/; rebuild it (scripts/build.sh) to test them"
  fi
fi
[ -x "$bin" ] || die "SPARKIFY_BIN=$bin is not an executable"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# --- scratch space, cleanup ----------------------------------------------------------------
if [ -n "${CRASH_WORK_DIR:-}" ]; then
  work=$CRASH_WORK_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/sparkify-crash.XXXXXX")
fi
work=$(cd "$work" && pwd)
running_pid=""      # an etl this script started and has not reaped
pg_started=""       # "yes" when this script started the PostgreSQL server
pg_dbs=()           # databases this script created
failures=0
cleanup() {
  local rc=$?
  if [ -n "$running_pid" ]; then kill -9 "$running_pid" 2>/dev/null || true; fi
  if [ -n "$pg_started" ] && [ "$keep" != 1 ]; then
    "$root/scripts/stop-postgres.sh" >/dev/null 2>&1 || true
  elif [ ${#pg_dbs[@]} -gt 0 ] && { [ "$failures" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$keep" != 1 ]; }; then
    for db in "${pg_dbs[@]}"; do pg_admin "drop database if exists $db with (force)" >/dev/null 2>&1 || true; done
  fi
  if [ "$keep" = 1 ] || [ "$failures" -gt 0 ] || [ "$rc" -ne 0 ]; then
    log "scratch folder kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- PostgreSQL ----------------------------------------------------------------------------
pg_uri=""
pg_admin() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$pg_uri" -c "$1"; }
pg_target() { # the server's URI or conninfo with database $1
  local db=$1
  if [[ $pg_uri =~ ^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$ ]]; then
    echo "${BASH_REMATCH[1]}/$db${BASH_REMATCH[4]}"
  else
    echo "$pg_uri dbname=$db"
  fi
}
pg_create() { pg_admin "create database $1 template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'" && pg_dbs+=("$1"); }
pg_drop() { pg_admin "drop database if exists $1 with (force)"; }
# Waits until no other session is connected to database $1 (a killed client's backend runs on
# until it notices the closed socket); prints the milliseconds waited.
pg_wait_orphans() {
  local start n
  start=$(now_us)
  for _ in $(seq 1 600); do
    n=$(pg_admin "select count(*) from pg_stat_activity where datname = '$1' and pid <> pg_backend_pid()") || n=1
    [ "$n" = 0 ] && break
    sleep 0.05
  done
  echo $(( ($(now_us) - start) / 1000 ))
}

if [[ " $engines " == *" postgresql "* ]]; then
  command -v psql >/dev/null || die "psql is needed for the PostgreSQL trials (apt-get install postgresql-client-15)"
  if [ -n "${SPARKIFY_TEST_PG_URI:-}" ]; then
    pg_uri=$SPARKIFY_TEST_PG_URI
  else
    log "SPARKIFY_TEST_PG_URI is unset: starting a throwaway server (scripts/start-postgres.sh)"
    pg_uri=$("$root/scripts/start-postgres.sh" 2>"$work/start-postgres.err") ||
      { cat "$work/start-postgres.err" >&2; die "scripts/start-postgres.sh failed"; }
    # A server that was already running (start-postgres.sh reuses it) stays running.
    grep -q 'reusing the running cluster' "$work/start-postgres.err" || pg_started=yes
  fi
  pg_admin "select 1" >/dev/null || die "cannot reach PostgreSQL at $pg_uri"
fi

# --- data: A (before) and B (added by the killed run) -----------------------------------------
data=$work/data
log "generating $songs_n song files and $days_n event files ($events_n events) into $data"
"$bin" generate --out "$data" --songs "$songs_n" --events "$events_n" --users "$users_n" \
  --days "$days_n" --seed 7 --match-rate 0.1 >/dev/null 2>"$work/generate.err" ||
  { cat "$work/generate.err" >&2; die "sparkify generate failed"; }
mapfile -t song_files < <(cd "$data" && find song_data -name '*.json' -type f | sort)
mapfile -t event_files < <(cd "$data" && find log_data -name '*.json' -type f | sort)
if [ ${#song_files[@]} -lt 3 ] || [ ${#event_files[@]} -lt 2 ]; then die "too little generated data"; fi
# SPLIT=rebuild (default): B brings new song files too, so the killed run rebuilds the star;
# SPLIT=append: B brings only later event files, so the killed run appends to it.
case "${SPLIT:-rebuild}" in
  rebuild) songs_a=$(( ${#song_files[@]} * 2 / 3 )) ;;
  append) songs_a=${#song_files[@]} ;;
  *) die "SPLIT must be rebuild or append" ;;
esac
events_a=$(( ${#event_files[@]} / 2 ))
files_a=("${song_files[@]:0:songs_a}" "${event_files[@]:0:events_a}")
files_b=("${song_files[@]:songs_a}" "${event_files[@]:events_a}")

# Links (or copies) the listed files, relative to $data, into source folder $1.
add_files() {
  local dest=$1
  shift
  mkdir -p "$dest/song_data" "$dest/log_data"
  (cd "$data" && { cp -l --parents "$@" "$dest/" 2>/dev/null || cp --parents "$@" "$dest/"; })
}

# --- running sparkify ----------------------------------------------------------------------
target_of() { # engine, trial dir, database name
  if [ "$1" = duckdb ]; then echo "duckdb:$2/warehouse.duckdb"; else pg_target "$3"; fi
}
etl() { # target, source dir, extra args...
  local target=$1 src=$2
  shift 2
  timeout 600 "$bin" etl --target "$target" --songs "$src/song_data" --events "$src/log_data" \
    ${etl_args[@]+"${etl_args[@]}"} "$@"
}

# The fingerprint of one table, computed by the engine: its row count and the sum of a 64-bit
# hash of each row (all columns), which is the same for the same multiset of rows in any order.
row_fingerprint_sql() { # target, table
  if [[ $1 == duckdb:* ]]; then
    echo "select '$2' as t, count(*) as n, coalesce(sum(hash(x)), 0) as h from $2 x"
  else
    echo "select '$2' as t, count(*) as n, coalesce(sum(('x' || substr(md5(x::text), 1, 16))::bit(64)::bigint::numeric), 0) as h from $2 x"
  fi
}
# Writes "table fingerprint" lines for the star of target $1 into file $2 ("table ERROR: ..." when
# a table cannot be read). One query for the five tables; when it fails, one per table, to name
# the ones that cannot be read. Returns 1 when any table could not be read.
snapshot() {
  local target=$1 file=$2 t ok=0 sql="" line err
  : >"$file"
  for t in "${star_tables[@]}"; do sql+="${sql:+ union all }$(row_fingerprint_sql "$target" "$t")"; done
  err=$(mktemp "$work/.query.XXXXXX")
  if timeout 300 "$bin" query --target "$target" --format csv --sql "$sql" >"$err.out" 2>"$err"; then
    for t in "${star_tables[@]}"; do
      line=$(grep -m1 "^$t," "$err.out" | tr -d '\r') || line=""
      if [ -n "$line" ]; then echo "$t ${line#*,}" >>"$file"; else echo "$t ERROR: not in the result" >>"$file"; ok=1; fi
    done
  else
    for t in "${star_tables[@]}"; do
      if timeout 300 "$bin" query --target "$target" --format csv \
           --sql "$(row_fingerprint_sql "$target" "$t")" >"$err.out" 2>"$err"; then
        echo "$t $(tail -n +2 "$err.out" | tr -d '\r' | cut -d, -f2-)" >>"$file"
      else
        echo "$t ERROR: $(grep -m1 . "$err" | cut -c1-200)" >>"$file"
        ok=1
      fi
    done
  fi
  rm -f "$err" "$err.out"
  return $ok
}
# The tables whose hashes differ between snapshot files $1 and $2 (or their errors).
snapshot_diff() {
  local t a b out=()
  for t in "${star_tables[@]}"; do
    a=$(grep "^$t " "$1" | cut -d' ' -f2-)
    b=$(grep "^$t " "$2" | cut -d' ' -f2-)
    if [ "$a" != "$b" ]; then
      if [[ $a == ERROR* ]]; then out+=("$t $a"); else out+=("$t"); fi
    fi
  done
  local IFS=,
  echo "${out[*]}"
}

# The tables of target $1 (every schema but the catalogs), comma-separated.
table_list() {
  "$bin" query --target "$1" --format csv --sql "select table_schema || '.' || table_name from \
information_schema.tables where table_schema not in ('information_schema', 'pg_catalog') \
order by 1" 2>/dev/null | tail -n +2 | tr -d '\r' | paste -sd, - || echo "?"
}
# Files beside DuckDB database $1 (WAL, temp folder, ...), comma-separated.
duckdb_leftovers() {
  local f out=()
  for f in "$1".* "$1"-*; do [ -e "$f" ] && out+=("${f##*/}"); done
  local IFS=,
  echo "${out[*]}"
}

# --- per engine: references and calibration ------------------------------------------------
declare -a seg_name seg_start seg_end   # the calibrated timeline of the engine at hand
rows=()                                  # the report's table rows
timed_phases=""                          # engine:phase for every phase of a PHASE line
report_lines=()                          # settings and calibration, for OUT
note() { report_lines+=("$*"); printf '%s\n' "$*"; }

require_star_tables() { # target: every star table exists in it
  local t found
  found=$("$bin" query --target "$1" --format csv --sql "select table_name from \
information_schema.tables where table_name in ('fact_songplay', 'dim_user', 'dim_song', \
'dim_artist', 'dim_time') and table_schema not in ('information_schema', 'pg_catalog')" |
    tail -n +2 | tr -d '\r')
  for t in "${star_tables[@]}"; do
    grep -qx "$t" <<<"$found" || die "table $t not found in the reference warehouse"
  done
}

# Lays the phases of one uninterrupted run on a time line from its timestamped stderr ($1,
# "usec line" pairs, times relative to the spawn) and its total wall time ($2, usec):
#   - PHASE lines (--timings) give each phase's duration, in execution order;
#   - "found N song files and M event files" ends the first phase (listing);
#   - the last phase (commit) prints nothing: it starts at the last line before "loaded ...
#     into ...", which follows the commit and the row counts;
#   - the phases between run back to back, backwards from the last one.
# What is left over is named: "start" (process start, opening the target), "after_<first>"
# (between listing and the next timed phase: today the DROP/CREATE of the tables) and
# "after_<last>" (row counts, output, closing the engine, exit).
calibrate_timeline() {
  local file=$1 total=$2 t_found="" t_loaded="" t_prev=0 t_last="" names=() durs=() t line
  while read -r t line; do
    case $line in
      "found "*" song files and "*) t_found=$t ;;
      "run "*"loaded "*" into "* | "loaded "*" into "*) t_loaded=$t t_last=$t_prev ;;
      "PHASE "*.*" "*) ;;  # sub-phases (stage_events.read_parse, .append) overlap their phase
      "PHASE "*)
        read -r _ name secs <<<"$line"
        names+=("$name")
        durs+=("$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000000 }')")
        ;;
    esac
    t_prev=$t
  done <"$file"
  [ ${#names[@]} -gt 0 ] || die "the calibration run printed no PHASE lines (etl --timings)"
  local n=${#names[@]} i first=0 end starts=() ends=()
  if [ -n "$t_loaded" ] && [ $((t_last + durs[n - 1])) -le "$t_loaded" ]; then
    starts[n - 1]=$t_last
  else
    starts[n - 1]=$(( ${t_loaded:-$total} - durs[n - 1] ))
  fi
  ends[n - 1]=$((starts[n - 1] + durs[n - 1]))
  end=${starts[n - 1]}
  for ((i = n - 2; i >= 1; i--)); do
    starts[i]=$((end - durs[i]))
    ends[i]=$end
    end=${starts[i]}
  done
  if [ -n "$t_found" ]; then
    starts[0]=$((t_found - durs[0]))
    first=$t_found
  else
    starts[0]=$((end - durs[0]))
    first=$end
  fi
  [ "${starts[0]}" -ge 0 ] || starts[0]=0
  ends[0]=$first
  seg_name=() seg_start=() seg_end=()
  add_seg() { if [ "$3" -gt "$2" ]; then seg_name+=("$1"); seg_start+=("$2"); seg_end+=("$3"); fi; }
  add_seg start 0 "${starts[0]}"
  add_seg "${names[0]}" "${starts[0]}" "${ends[0]}"
  for ((i = 1; i < n; i++)); do
    add_seg "after_${names[i - 1]}" "${ends[i - 1]}" "${starts[i]}"
    [ "${starts[i]}" -ge "${ends[i - 1]}" ] || starts[i]=${ends[i - 1]}
    add_seg "${names[i]}" "${starts[i]}" "${ends[i]}"
  done
  add_seg "after_${names[n - 1]}" "${ends[n - 1]}" "$total"
}

# Sets `norm` to stderr line $1 with what differs between runs replaced: the run's folder ($2)
# and database ($3) by DIR and DB, every run of digits by #.
normalize_line() {
  norm=${1//"$2"/DIR}
  [ -z "$3" ] || norm=${norm//"$3"/DB}
  norm=${norm//+([0-9])/#}
}
declare -a cal_t cal_line   # the calibration run's stderr lines (normalized) and their times
cal_total=0                 # its wall time (usec)

usec_to_s() { printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)); }

# Starts the etl of a trial (target $1, folder $2 with src/, database $3) and SIGKILLs it
# $5 usec after its stderr showed the line that matches calibration line $4 (-1: after the
# spawn). Its stderr lines go, with their times from the spawn, to $2/killed.timeline; each
# is matched, in order, to the calibration's lines. Sets kill_at (usec from the spawn; empty
# when the process exited first) and kill_rc (its exit status).
kill_run() {
  local target=$1 dir=$2 db=$3 anchor=$4 offset=$5
  local fifo=$dir/stderr.fifo timeline=$dir/killed.timeline efd t0 deadline=0 cap i=0 j
  local line now left ts status partial=""
  mkfifo "$fifo"
  : >"$timeline"
  kill_at=""
  t0=$(now_us)
  "$bin" etl --target "$target" --songs "$dir/src/song_data" --events "$dir/src/log_data" \
    ${etl_args[@]+"${etl_args[@]}"} --timings --verbose >"$dir/killed.out" 2>"$fifo" &
  running_pid=$!
  exec {efd}<"$fifo"
  [ "$anchor" -ge 0 ] || deadline=$((t0 + offset))
  cap=$((t0 + 3 * cal_total + 10000000))  # when the anchor line never comes
  while :; do
    now=$(now_us)
    if [ "$deadline" -gt 0 ]; then left=$((deadline - now)); else left=$((cap - now)); fi
    if [ "$left" -le 0 ]; then
      kill -9 "$running_pid" 2>/dev/null || true
      kill_at=$(($(now_us) - t0))
      break
    fi
    if IFS= read -r -t "$(usec_to_s "$left")" -u "$efd" line; then
      ts=$(now_us)
      line=$partial$line partial=""
      printf '%s %s\n' "$((ts - t0))" "$line" >>"$timeline"
      if [ "$deadline" -eq 0 ]; then
        normalize_line "$line" "$dir" "$db"
        for ((j = i; j < ${#cal_line[@]}; j++)); do
          if [ "${cal_line[j]}" = "$norm" ]; then i=$((j + 1)); break; fi
        done
        [ "$i" -le "$anchor" ] || deadline=$((ts + offset))
      fi
    else
      status=$?
      [ "$status" -gt 128 ] || break  # end of file: the process exited before the kill
      partial+=$line  # read reads a pipe byte by byte: a timeout can end it mid-line
    fi
  done
  # Lines still in the pipe were written before the kill; they get the kill's time.
  while IFS= read -r -u "$efd" line || [ -n "$line" ]; do
    printf '%s %s\n' "${kill_at:-$(($(now_us) - t0))}" "$partial$line" >>"$timeline"
    partial=""
  done
  [ -z "$partial" ] || printf '%s %s\n' "${kill_at:-$(($(now_us) - t0))}" "$partial" >>"$timeline"
  exec {efd}<&-
  kill_rc=0
  { wait "$running_pid"; } 2>/dev/null || kill_rc=$?  # (no "Killed" notice from bash)
  running_pid=""
  rm -f "$fifo"
}

# The segment (phase name) of calibration time $1.
segment_at() {
  local k
  for ((k = 0; k < ${#seg_name[@]}; k++)); do
    if [ "$1" -lt "${seg_end[k]}" ]; then echo "${seg_name[k]}"; return; fi
  done
  echo "${seg_name[${#seg_name[@]} - 1]}"
}

# The phase of a kill: its calibrated segment. The kill came $1 usec after the spawn; the last
# line the killed process printed ($2 = its timeline; $3, $4 = its folder and database) matches
# calibration line j, so the kill is placed at cal_t[j] plus the time since that line, and
# before the calibration time of the next line, which it did not print. When the process took
# longer since line j than the calibration took to the next line, it may be anywhere in
# between: if that spans several phases, the answer is "first..last".
phase_of_kill() {
  local at=$1 timeline=$2 i=0 j t line last_t=0 est lo=0 hi first last
  hi=${seg_end[${#seg_end[@]} - 1]}
  while read -r t line; do
    normalize_line "$line" "$3" "$4"
    for ((j = i; j < ${#cal_line[@]}; j++)); do
      if [ "${cal_line[j]}" = "$norm" ]; then lo=${cal_t[j]}; last_t=$t; i=$((j + 1)); break; fi
    done
  done <"$timeline"
  est=$((lo + at - last_t))
  [ "$i" -ge ${#cal_line[@]} ] || hi=$((cal_t[i] - 1))
  [ "$hi" -ge "$lo" ] || hi=$lo
  if [ "$est" -gt "$hi" ]; then
    first=$(segment_at "$lo")
    last=$(segment_at "$hi")
    if [ "$first" = "$last" ]; then echo "$first"; else echo "$first..$last"; fi
    return
  fi
  segment_at "$est"
}

# Observed times between consecutive calibration lines: gaps[j] holds the usec from line j to
# line j+1 in the calibration run and in every trial that printed both before the kill.
declare -A gaps
median_gap() { # of line j=$1
  local -a g
  read -r -a g <<<"${gaps[$1]}"
  printf '%s\n' "${g[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
record_gaps() { # timeline $1 of a trial killed at $2 usec (empty: not killed); folder $3, database $4
  local t line i=0 j prev_j=-2 prev_t=0
  while read -r t line; do
    [ -z "$2" ] || [ "$t" -lt "$2" ] || break  # read after the kill: no real time
    normalize_line "$line" "$3" "$4"
    for ((j = i; j < ${#cal_line[@]}; j++)); do
      if [ "${cal_line[j]}" = "$norm" ]; then
        [ "$j" -ne $((prev_j + 1)) ] || gaps[$prev_j]+=" $((t - prev_t))"
        prev_j=$j prev_t=$t i=$((j + 1))
        break
      fi
    done
  done <"$1"
}

printf_row() { printf '%-5s  %-10s  %-25s  %8s  %-18s  %-9s  %s\n' "$@"; }

run_engine() {
  local engine=$1 eidx=$2
  local prefix=sparkify_crash_$$_${engine:0:2}
  local ref=$work/$engine-ref
  mkdir -p "$ref"
  log "$engine: reference warehouses BEFORE (A) and AFTER (A+B)"
  add_files "$ref/src-a" "${files_a[@]}"
  add_files "$ref/src-ab" "${files_a[@]}" "${files_b[@]}"
  local t_before t_after tables_before tables_after
  if [ "$engine" = postgresql ]; then
    pg_create "${prefix}_before" || die "$engine: cannot create a database"
    pg_create "${prefix}_after" || die "$engine: cannot create a database"
    t_before=$(pg_target "${prefix}_before")
    t_after=$(pg_target "${prefix}_after")
  else
    t_before=duckdb:$ref/before.duckdb
    t_after=duckdb:$ref/after.duckdb
  fi
  etl "$t_before" "$ref/src-a" -q >/dev/null 2>"$ref/before.err" || { cat "$ref/before.err" >&2; die "$engine: etl over A failed"; }
  etl "$t_after" "$ref/src-ab" -q >/dev/null 2>"$ref/after.err" || { cat "$ref/after.err" >&2; die "$engine: etl over A+B failed"; }
  require_star_tables "$t_after"
  snapshot "$t_before" "$ref/BEFORE" || die "$engine: cannot read the BEFORE reference: $(cat "$ref/BEFORE")"
  snapshot "$t_after" "$ref/AFTER" || die "$engine: cannot read the AFTER reference: $(cat "$ref/AFTER")"
  tables_before=$(table_list "$t_before")
  tables_after=$(table_list "$t_after")
  cmp -s "$ref/BEFORE" "$ref/AFTER" && die "$engine: BEFORE and AFTER are the same star; the test could not tell them apart"

  # Calibration: the very run the trials kill (BEFORE state, then etl over A+B), uninterrupted.
  log "$engine: calibration run (etl --timings from the BEFORE state to A+B)"
  local cal=$work/$engine-cal t_cal
  mkdir -p "$cal"
  add_files "$cal/src" "${files_a[@]}"
  if [ "$engine" = postgresql ]; then pg_create "${prefix}_cal" || die "$engine: createdb failed"; fi
  t_cal=$(target_of "$engine" "$cal" "${prefix}_cal")
  etl "$t_cal" "$cal/src" -q >/dev/null 2>"$cal/prep.err" || { cat "$cal/prep.err" >&2; die "$engine: etl over A failed"; }
  add_files "$cal/src" "${files_b[@]}"
  mkfifo "$cal/err.fifo"
  local t0 reader rc=0 total
  t0=$(now_us)
  (while IFS= read -r line; do printf '%s %s\n' "$(( ${EPOCHREALTIME/./} - t0 ))" "$line"; done) \
    <"$cal/err.fifo" >"$cal/timeline" &
  reader=$!
  etl "$t_cal" "$cal/src" --timings --verbose >/dev/null 2>"$cal/err.fifo" || rc=$?
  total=$(( $(now_us) - t0 ))
  wait "$reader" || true
  [ "$rc" -eq 0 ] || { cut -d' ' -f2- "$cal/timeline" >&2; die "$engine: the calibration etl failed (exit $rc)"; }
  snapshot "$t_cal" "$cal/star" || true
  if ! cmp -s "$cal/star" "$ref/AFTER"; then
    failures=$((failures + 1))
    note "$engine: FAILURE: an uninterrupted etl from the BEFORE state to A+B does not give the star of a clean run over A+B (differs: $(snapshot_diff "$cal/star" "$ref/AFTER")); every trial's rerun will differ too"
  fi
  calibrate_timeline "$cal/timeline" "$total"
  cal_t=() cal_line=() cal_total=$total
  local t line norm
  while read -r t line; do
    normalize_line "$line" "$cal" "${pg_uri:+${prefix}_cal}"
    cal_t+=("$t")
    cal_line+=("$norm")
  done <"$cal/timeline"
  gaps=()
  for ((i = 0; i + 1 < ${#cal_t[@]}; i++)); do gaps[$i]=$((cal_t[i + 1] - cal_t[i])); done
  local i desc=""
  for ((i = 0; i < ${#seg_name[@]}; i++)); do
    desc+=" ${seg_name[i]} $((seg_start[i] / 1000))-$((seg_end[i] / 1000))"
  done
  note "$engine: uninterrupted etl $((total / 1000)) ms; phases (ms from spawn):$desc"
  for ((i = 0; i < ${#seg_name[@]}; i++)); do
    case ${seg_name[i]} in start | after_*) ;; *) timed_phases+=" $engine:${seg_name[i]}" ;; esac
  done
  if [ "$engine" = postgresql ] && [ "$keep" != 1 ]; then pg_drop "${prefix}_cal" >/dev/null; fi

  # Kill delays: trial k kills in stratum k mod n, uniformly at random inside it. The strata
  # are the timed phases first (so a few trials still cover every one), then the gaps.
  local strata=() k
  for ((i = 0; i < ${#seg_name[@]}; i++)); do
    case ${seg_name[i]} in start | after_*) ;; *) strata+=("$i") ;; esac
  done
  for ((i = 0; i < ${#seg_name[@]}; i++)); do
    case ${seg_name[i]} in start | after_*) strata+=("$i") ;; esac
  done
  if [ -n "$aim_phases" ]; then  # PHASES=...: only these
    local wanted=()
    for i in "${strata[@]}"; do
      [[ " $aim_phases " != *" ${seg_name[i]} "* ]] || wanted+=("$i")
    done
    [ ${#wanted[@]} -gt 0 ] || die "$engine: none of PHASES=\"$aim_phases\" is among the phases:$desc"
    strata=("${wanted[@]}")
  fi
  # Trial k aims at stratum k mod n, at a uniformly random moment inside it; after the first
  # round a timed phase that no kill has landed in yet goes first, up to 3 extra times (a short
  # phase is easily missed when the process runs a few ms faster or slower than in the
  # calibration). The kill is timed from the last stderr line the calibration run printed
  # before that moment (its anchor), so process start-up times do not shift it.
  RANDOM=$((seed + eidx))
  local anchor offset target_t s r
  local -A landed=() chased=()
  next_kill() { # sets anchor and offset for trial $1
    if [ ${#fixed_delays[@]} -gt 0 ]; then
      anchor=-1 offset=$((fixed_delays[$1 % ${#fixed_delays[@]}] * 1000))
      return
    fi
    s=${strata[$1 % ${#strata[@]}]}
    if [ "$1" -ge ${#strata[@]} ]; then
      for i in "${strata[@]}"; do
        case ${seg_name[i]} in start | after_*) continue ;; esac
        if [ -z "${landed[${seg_name[i]}]:-}" ] && [ "${chased[${seg_name[i]}]:-0}" -lt 3 ]; then
          s=$i
          chased[${seg_name[i]}]=$(( ${chased[${seg_name[i]}]:-0} + 1 ))
          break
        fi
      done
    fi
    r=$(( (RANDOM << 15 | RANDOM) % 1000000 ))
    target_t=$((seg_start[s] + (seg_end[s] - seg_start[s]) * r / 1000000))
    anchor=-1 offset=$target_t
    for ((i = 0; i < ${#cal_t[@]}; i++)); do
      if [ "${cal_t[i]}" -le "$target_t" ]; then anchor=$i offset=$((target_t - cal_t[i])); fi
    done
    # Nearer to the next line than to the anchor: keep the distance to the next line, with the
    # median time between the two lines seen so far (a phase that ends with a line, like list,
    # is then hit even when what precedes it, like connecting, takes longer or shorter).
    if [ "$anchor" -ge 0 ] && [ $((anchor + 1)) -lt ${#cal_t[@]} ]; then
      local before_next=$((cal_t[anchor + 1] - target_t))
      if [ "$before_next" -lt "$offset" ]; then
        offset=$(( $(median_gap "$anchor") - before_next ))
        [ "$offset" -ge 0 ] || offset=0
      fi
    fi
  }

  # --- the trials ---
  for ((k = 0; k < trials; k++)); do
    local n=$((k + 1))
    local dir=$work/$engine-$n db=${prefix}_$n target
    mkdir -p "$dir"
    target=$(target_of "$engine" "$dir" "$db")
    local phase="-" outcome="-" rerun="-" notes=() failed=0 delay=""
    if [ "$engine" = postgresql ]; then pg_create "$db" || die "$engine: createdb $db failed"; fi
    add_files "$dir/src" "${files_a[@]}"
    if ! etl "$target" "$dir/src" -q >/dev/null 2>"$dir/prep.err"; then
      outcome=PREP_FAILED notes+=("$(grep -m1 . "$dir/prep.err")") failed=1
    else
      snapshot "$target" "$dir/before" || true
      if ! cmp -s "$dir/before" "$ref/BEFORE"; then
        failed=1  # the same etl over the same files gave another star: not deterministic
        notes+=("the prepared BEFORE state differs from the reference: $(snapshot_diff "$dir/before" "$ref/BEFORE")")
      fi
      add_files "$dir/src" "${files_b[@]}"
      # 3. start and kill
      next_kill "$k"
      kill_run "$target" "$dir" "${pg_uri:+$db}" "$anchor" "$offset"
      record_gaps "$dir/killed.timeline" "$kill_at" "$dir" "${pg_uri:+$db}"
      if [ -n "$kill_at" ] && [ "$kill_rc" -eq 137 ]; then
        phase=$(phase_of_kill "$kill_at" "$dir/killed.timeline" "$dir" "${pg_uri:+$db}")
        delay=$((kill_at / 1000))
      else
        phase=exited
        notes+=("etl exited $kill_rc before the kill")
        [ "$kill_rc" -eq 0 ] || { failed=1; notes+=("$(grep -m1 'error' "$dir/killed.timeline" | cut -d' ' -f2- | cut -c1-200)"); }
        [ -z "$kill_at" ] || delay=$((kill_at / 1000))
      fi
      # 4. classify the state the kill left
      local snap_target=$target
      if [ "$engine" = postgresql ]; then
        local waited
        waited=$(pg_wait_orphans "$db")
        if [ "$waited" -ge 100 ]; then notes+=("killed client's backend ran on ${waited} ms"); fi
      else
        # Snapshot a copy: opening the database replays its WAL, and the rerun must meet the
        # files exactly as the kill left them.
        local left
        left=$(duckdb_leftovers "$dir/warehouse.duckdb")
        [ -z "$left" ] || notes+=("after the kill: $left")
        cp "$dir/warehouse.duckdb" "$dir/postkill.duckdb"
        if [ -f "$dir/warehouse.duckdb.wal" ]; then cp "$dir/warehouse.duckdb.wal" "$dir/postkill.duckdb.wal"; fi
        snap_target=duckdb:$dir/postkill.duckdb
      fi
      snapshot "$snap_target" "$dir/postkill" || true
      local tables
      tables=$(table_list "$snap_target")
      if [ "$tables" != "$tables_before" ] && [ "$tables" != "$tables_after" ]; then
        notes+=("tables after the kill: $tables")
      fi
      if cmp -s "$dir/postkill" "$dir/before"; then
        outcome=BEFORE
      elif cmp -s "$dir/postkill" "$ref/AFTER"; then
        outcome=AFTER
      else
        outcome=CORRUPT failed=1
        notes+=("differs: $(snapshot_diff "$dir/postkill" "$dir/before")")
      fi
      # 5. the next etl, no cleanup in between
      local rrc=0
      etl "$target" "$dir/src" -q >"$dir/rerun.out" 2>"$dir/rerun.err" || rrc=$?
      if [ "$rrc" -ne 0 ]; then
        rerun="FAILED($rrc)" failed=1
        notes+=("rerun: $(grep -m1 . "$dir/rerun.err" | cut -c1-200)")
      elif ! snapshot "$target" "$dir/rerun"; then
        rerun=UNREADABLE failed=1
        notes+=("rerun: $(snapshot_diff "$dir/rerun" "$ref/AFTER")")
      elif cmp -s "$dir/rerun" "$ref/AFTER"; then
        rerun=ok
        tables=$(table_list "$target")
        [ "$tables" = "$tables_after" ] || notes+=("tables after the rerun: $tables (a clean run: $tables_after)")
        if [ "$engine" = duckdb ]; then
          left=$(duckdb_leftovers "$dir/warehouse.duckdb")
          [ -z "$left" ] || notes+=("after the rerun: $left")
        fi
      else
        rerun=DIFFERS failed=1
        notes+=("rerun differs: $(snapshot_diff "$dir/rerun" "$ref/AFTER")")
      fi
    fi
    local note_text="" row part db_note
    for part in "${notes[@]}"; do note_text+="${note_text:+; }$part"; done
    row=$(printf_row "$n" "$engine" "$phase" "${delay:-}" "$outcome" "$rerun" "$note_text")
    rows+=("$row")
    printf '%s\n' "$row"
    outcomes+=("$engine $phase $outcome $rerun")
    landed[$phase]=1
    if [ "$failed" -eq 1 ]; then
      failures=$((failures + 1))
      if [ "$engine" = postgresql ]; then db_note=" (database $db)"; else db_note=""; fi
      log "$engine trial $n failed; its files are in $dir$db_note"
    elif [ "$keep" != 1 ]; then
      rm -rf "$dir"
      if [ "$engine" = postgresql ]; then pg_drop "$db" >/dev/null; fi
    fi
  done
  if [ "$keep" != 1 ]; then
    [ "$engine" = postgresql ] && { pg_drop "${prefix}_before" >/dev/null; pg_drop "${prefix}_after" >/dev/null; }
    rm -rf "$ref"
  fi
}

# --- main ----------------------------------------------------------------------------------
started=$(now_us)
outcomes=()
note "sparkify crash test: $(date -u +%Y-%m-%dT%H:%M:%SZ), binary $bin"
note "seed $seed${DELAYS_MS:+, fixed delays $DELAYS_MS ms}${PHASES:+, aimed at $PHASES}; $trials trials per engine: $engines; etl ${ETL_ARGS:-(default flags)}; $(nproc) cores"
note "data: ${#song_files[@]} song files + ${#event_files[@]} event files ($events_n events); split ${SPLIT:-rebuild}: A = ${songs_a} song + ${events_a} event files, B = the other $(( ${#song_files[@]} - songs_a )) + $(( ${#event_files[@]} - events_a ))"
header=$(printf_row trial engine phase delay_ms outcome_after_kill rerun note)
eidx=0
for engine in $engines; do
  run_engine "$engine" "$eidx"
  eidx=$((eidx + 1))
done

elapsed=$(( ($(now_us) - started) / 1000000 ))
n_before=0 n_after=0 n_corrupt=0 n_other=0 n_rerun_ok=0
declare -A phase_hits=() engine_phase_hits=()
for o in "${outcomes[@]}"; do
  read -r en ph oc rr <<<"$o"
  engine_phase_hits[$en:$ph]=1
  case $oc in BEFORE) n_before=$((n_before + 1)) ;; AFTER) n_after=$((n_after + 1)) ;;
    CORRUPT) n_corrupt=$((n_corrupt + 1)) ;; *) n_other=$((n_other + 1)) ;; esac
  [ "$rr" = ok ] && n_rerun_ok=$((n_rerun_ok + 1))
  phase_hits[$ph]=$(( ${phase_hits[$ph]:-0} + 1 ))
done
hits=""
for ph in "${!phase_hits[@]}"; do hits+=" $ph=${phase_hits[$ph]}"; done
missed=""
for ph in $timed_phases; do
  [ -z "$aim_phases" ] || [[ " $aim_phases " == *" ${ph#*:} "* ]] || continue
  [ -n "${engine_phase_hits[$ph]:-}" ] || missed+=" $ph"
done
[ -z "$missed" ] || log "warning: no kill landed in:$missed (more TRIALS, or PHASES=\"...\", aim at them)"
verdict=PASS
[ "$failures" -eq 0 ] || verdict=FAIL
not_run=""
[ "$n_other" -eq 0 ] || not_run=", $n_other not killed (setup failed)"
summary="$verdict: ${#outcomes[@]} trials: $n_before BEFORE, $n_after AFTER, $n_corrupt CORRUPT$not_run; reruns ok $n_rerun_ok/${#outcomes[@]}; kills per phase:$(tr ' ' '\n' <<<"$hits" | sort | tr '\n' ' '); seed $seed; ${elapsed} s"

printf '\n%s\n' "$header"
printf '%s\n' "${rows[@]}"
printf '%s\n' "$summary"
if [ -n "$out_file" ]; then
  {
    printf '%s\n' "${report_lines[@]}"
    printf '\n%s\n' "$header"
    printf '%s\n' "${rows[@]}"
    printf '%s\n' "$summary"
  } >"$out_file"
fi
[ "$failures" -eq 0 ]
