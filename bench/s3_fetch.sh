#!/usr/bin/env bash
# Measures how fast `sparkify etl` fetches many small song objects from S3 (moto_server on
# loopback) against the AWS CLI's `aws s3 sync` of the same prefix, interleaved, RUNS times;
# prints one line per run and a table of medians (sparkify: list + stage_songs phases, i.e.
# listing, GETs and parsing; aws: the whole sync to an empty folder).
#   SPARKIFY_TEST_MOTO_URL  a running moto_server (default: start one with scripts/start-moto.sh)
#   OBJECTS                 song objects to upload (default 15000, the M set's song count)
#   CONCURRENCY             sparkify's pool sizes to compare (default "16 32"); 0 = sequential
#   RUNS                    interleaved runs of each (default 3)
#   LATENCY_MS              when set, GETs go through tests/e2e/fault_proxy.py adding this much
#                           latency per request (loopback moto answers in ~2 ms; S3 from
#                           another region or over the Internet takes 20-100 ms)
# Needs a build (build/sparkify), python3 with boto3 for the upload, and the AWS CLI (`aws`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sparkify=${SPARKIFY:-$root/build/sparkify}
objects=${OBJECTS:-15000}
url=${SPARKIFY_TEST_MOTO_URL:-}
if [ -z "$url" ]; then
  url=$("$root/scripts/start-moto.sh")
  trap '"$root/scripts/stop-moto.sh"' EXIT
fi
bucket="bench-$$-$(date +%s)"
python3 - "$url" "$bucket" "$objects" <<'PY'
import sys, json, concurrent.futures, boto3
url, bucket, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  aws_access_key_id="bench", aws_secret_access_key="bench")
s3.create_bucket(Bucket=bucket)
def put(i):
    body = json.dumps({"num_songs": 1, "artist_id": "AR%05d" % (i % 500), "artist_latitude": None,
                       "artist_longitude": None, "artist_location": "", "artist_name": "A%d" % (i % 500),
                       "song_id": "SO%06d" % i, "title": "Song %d" % i, "duration": 100.5 + i, "year": 0})
    s3.put_object(Bucket=bucket, Key="song_data/%s/%s/TR%06d.json" % ("ABC"[i % 3], "XYZ"[i // 3 % 3], i),
                  Body=body.encode(), ContentType="application/json")
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(put, range(n)))
PY
work=$(mktemp -d)
proxy_pid=
cleanup() {
  rm -rf "$work"
  [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
  [ -z "${SPARKIFY_TEST_MOTO_URL:-}" ] && "$root/scripts/stop-moto.sh"
  return 0
}
trap cleanup EXIT
endpoint=$url
if [ -n "${LATENCY_MS:-}" ]; then
  python3 "$root/tests/e2e/fault_proxy.py" --upstream "$url" --mode none \
    --delay-ms "$LATENCY_MS" >"$work/proxy.url" &
  proxy_pid=$!
  for _ in $(seq 1 50); do [ -s "$work/proxy.url" ] && break; sleep 0.1; done
  endpoint=$(cat "$work/proxy.url")
fi
echo "objects=$objects endpoint=$endpoint latency=+${LATENCY_MS:-0}ms ($(nproc) cores)"
command -v aws >/dev/null || { echo "the AWS CLI (aws) is needed for the comparison" >&2; exit 1; }
results=$work/results.tsv
for run in $(seq 1 "${RUNS:-3}"); do
  for c in ${CONCURRENCY:-16 32}; do
    threads=$([ "$c" = 0 ] && echo 1 || nproc)
    seconds=$(AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench SPARKIFY_S3_CONCURRENCY=$c \
      "$sparkify" -q etl --timings --threads "$threads" --target "duckdb:$work/b$run-$c.duckdb" \
      --songs "s3://$bucket/song_data" --events "$root/../shared/data/sparkify/log_data" \
      --endpoint-url "$endpoint" 2>&1 >/dev/null |
      awk '$1 == "PHASE" && ($2 == "stage_songs" || $2 == "list") { s += $3 } END { print s }')
    printf 'sparkify-c%s\t%s\n' "$c" "$seconds" >>"$results"
    echo "run $run sparkify concurrency=$c threads=$threads list+stage_songs=${seconds}s"
  done
  rm -rf "$work/sync"
  start=$(date +%s.%N)
  AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_DEFAULT_REGION=us-east-1 \
    aws s3 sync --quiet --endpoint-url "$endpoint" "s3://$bucket/song_data" "$work/sync"
  seconds=$(python3 -c "print(round($(date +%s.%N) - $start, 3))")
  got=$(find "$work/sync" -type f | wc -l)
  [ "$got" = "$objects" ] || { echo "aws s3 sync fetched $got of $objects objects" >&2; exit 1; }
  printf 'aws-s3-sync\t%s\n' "$seconds" >>"$results"
  echo "run $run aws s3 sync ${seconds}s"
done
echo
echo "| tool | median s | objects/s | x aws s3 sync |"
echo "|---|---|---|---|"
python3 - "$results" "$objects" <<'PY'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l]
n = int(sys.argv[2])
by = {}
for tool, s in rows:
    by.setdefault(tool, []).append(float(s))
med = {t: statistics.median(v) for t, v in by.items()}
ref = med["aws-s3-sync"]
for t, m in sorted(med.items(), key=lambda kv: kv[1]):
    print(f"| {t} | {m:.2f} | {n / m:,.0f} | {ref / m:.2f}x faster |" if t != "aws-s3-sync"
          else f"| {t} | {m:.2f} | {n / m:,.0f} | 1.00 |")
PY
