#!/usr/bin/env bash
# An HTTP (REST) extract: wharf vs a bare HttpClient loop, on pages from a local server.
#   bench/http.sh [--records N] [--small-records M] [--partitions P] [--runs K] [--launcher]
#                 [--timeout SECONDS] [--quiet-wait SECONDS]
# The server (bench/HttpBench serve) has N records (default 1000000) split over P partitions
# (default 20), pages of 1,000 records (sensor readings, one nested object), built from their
# numbers. wharf runs a pipeline with for_each over the partitions and page_number paging
# (extract, lake, load into DuckDB, mode: replace); the baseline (bench/HttpBench fetch) only
# downloads and parses the same pages. Both at max_concurrency 1, 2 and 4, K rounds each
# (default 3, alternating who goes first), under /usr/bin/time -v once the machine is idle; a
# noisy round (other processes took CPU) is measured again, up to twice. wharf's peak RSS is also
# measured at M records (default 100000) to see whether memory grows with the extract.
# Exit code: 0 when every run succeeded, 1 on an error, 2 on bad usage.
set -euo pipefail

records=1000000
small_records=100000
partitions=20
runs=3
timeout_seconds=1800
quiet_wait=60
max_retries=2
launcher=no

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
positive() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || { echo "http.sh: $1 must be an integer >= $3, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --records) [ $# -ge 2 ] || usage; positive --records "$2" 1; records=$2; shift 2 ;;
    --small-records) [ $# -ge 2 ] || usage; positive --small-records "$2" 1; small_records=$2; shift 2 ;;
    --partitions) [ $# -ge 2 ] || usage; positive --partitions "$2" 1; partitions=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; positive --runs "$2" 1; runs=$2; shift 2 ;;
    --launcher) launcher=yes; shift ;;
    --timeout) [ $# -ge 2 ] || usage; positive --timeout "$2" 1; timeout_seconds=$2; shift 2 ;;
    --quiet-wait) [ $# -ge 2 ] || usage; positive --quiet-wait "$2" 0; quiet_wait=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "http.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
wharf="$root/wharf"
out="$bench/out/http"
tool="$bench/out/build/bin/HttpBench/release/HttpBench"
counter="$bench/out/build/bin/Wharf.Bench/release/Wharf.Bench"

# machine_busy, wait_for_quiet, time_report, noisy, median, build_wharf_at_head, choose_wharf.
source "$bench/lib.sh"

fail() { echo "http.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[ -x /usr/bin/time ] || fail "/usr/bin/time (GNU time) is needed for peak memory; apt-get install time"
mkdir -p "$out"
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the bench tools (Release)"
for project in HttpBench/HttpBench.csproj Wharf.Bench/Wharf.Bench.csproj; do
  dotnet build "$bench/$project" -c Release --artifacts-path "$bench/out/build" -nologo -v quiet >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; fail "building bench/$project failed"; }
done
choose_wharf

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts the page server for N records (stopping the previous one).
serve() {
  [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  port=$(free_port)
  "$tool" serve "$port" "$1" "$partitions" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do grep -q listening "$work/server.log" && return 0; sleep 0.1; done
  fail "the page server did not start: $(cat "$work/server.log")"
}

# The wharf project: one pipeline over the partitions, at concurrency C.
write_project() {
  local dir="$out/project" values
  values=$(seq -s, 0 $((partitions - 1)))
  rm -rf "$dir"
  mkdir -p "$dir"
  cat >"$dir/wharf.yml" <<YAML
warehouse: duckdb:warehouse.duckdb
lake: lake/
connections:
  api:
    type: http
    base_url: "http://127.0.0.1:$port"
    max_concurrency: $1
pipelines:
  readings:
    source: api
    endpoint: /records
    params: { part: "{{ value }}" }
    records: data
    paginate: { type: page_number }
    for_each: { values: [$values] }
    mode: replace
YAML
  project="$dir"
}

# measure SIDE N C: prints "wall_seconds peak_kib cpu_seconds foreign_cpu_seconds"; the page server's
# CPU is the same work for both sides, so it is not counted as foreign.
measure() {
  local side=$1 n=$2 c=$3 log="$work/$1.log" timing="$work/$1.time" busy_before busy_after server_before server_after report
  write_project "$c"
  wait_for_quiet
  busy_before=$(machine_busy)
  server_before=$(process_cpu "$server_pid")
  case "$side" in
    wharf)
      (cd "$project" && timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "${wharf_cmd[@]}" run --project "$project") >"$log" 2>&1 \
        || { tail -n 40 "$log" >&2; fail "wharf run failed or timed out (log above)"; }
      ;;
    baseline)
      timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "$tool" fetch "http://127.0.0.1:$port/records" "$partitions" "$c" >"$log" 2>&1 \
        || { tail -n 40 "$log" >&2; fail "the baseline failed or timed out (log above)"; }
      ;;
  esac
  busy_after=$(machine_busy)
  server_after=$(process_cpu "$server_pid")
  if [ "$side" = wharf ]; then
    local counts
    counts=$("$counter" count --db "$project/warehouse.duckdb" --table readings --parquet "$project/lake") || fail "could not count wharf's output"
    [ "${counts%% *}" = "$n" ] || fail "wharf loaded ${counts%% *} records, expected $n"
  else
    grep -q "^$n records" "$log" || fail "the baseline read $(head -n 1 "$log"), expected $n records"
  fi
  report=$(time_report "$timing") || fail "could not read $timing"
  awk -v r="$report" -v busy="$busy_before $busy_after" -v server="$server_before $server_after" 'BEGIN {
    split(r, m, " "); split(busy, b, " "); split(server, s, " "); foreign = b[2] - b[1] - m[3] - (s[2] - s[1]); if (foreign < 0) foreign = 0
    printf "%s %s %s %.2f\n", m[1], m[2], m[3], foreign }'
}

# measure_clean SIDE N C: a measurement, repeated (up to max_retries) while noisy; flags a still-noisy one.
measure_clean() {
  local result try
  for ((try = 0; try <= max_retries; try++)); do
    result=$(measure "$@")
    read -r _ _ cpu foreign <<<"$result"
    noisy "$cpu" "$foreign" || { echo "$result clean"; return; }
    say "   noisy ($foreign s of other processes' CPU); measuring again"
  done
  echo "$result noisy"
}

report="$out/report.md"
{
  echo "# bench/http.sh at $wharf_commit, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "$records records in pages of 1,000 over $partitions partitions, $runs rounds; $(nproc) cores."
  echo
  echo "| concurrency | side | wall s (median) | CPU s (median) | peak RSS MiB (max) | records/s | noisy rounds |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
} >"$report"

serve "$records"
for c in 1 2 4; do
  : >"$work/wharf.rounds"; : >"$work/baseline.rounds"
  for ((i = 1; i <= runs; i++)); do
    if ((i % 2)); then order="wharf baseline"; else order="baseline wharf"; fi
    for side in $order; do
      say "concurrency $c, round $i/$runs: $side"
      measure_clean "$side" "$records" "$c" | tee -a "$work/$side.rounds" >&2
    done
  done
  for side in wharf baseline; do
    wall=$(awk '{ print $1 }' "$work/$side.rounds" | median)
    cpu=$(awk '{ print $3 }' "$work/$side.rounds" | median)
    rss=$(awk '{ if ($2 > m) m = $2 } END { printf "%.0f", m / 1024 }' "$work/$side.rounds")
    noisy_rounds=$(grep -c noisy "$work/$side.rounds" || true)
    echo "| $c | $side | $wall | $cpu | $rss | $(awk -v n="$records" -v w="$wall" 'BEGIN { printf "%.0f", n / w }') | $noisy_rounds |" >>"$report"
  done
done

# Peak memory against the size of the extract: wharf at M and N records, concurrency 4.
echo >>"$report"
echo "| wharf peak RSS, concurrency 4 | MiB |" >>"$report"
echo "|---|---:|" >>"$report"
for n in "$small_records" "$records"; do
  serve "$n"
  result=$(measure_clean wharf "$n" 4)
  echo "| $n records | $(awk -v k="$(echo "$result" | awk '{ print $2 }')" 'BEGIN { printf "%.0f", k / 1024 }') |" >>"$report"
done

cat "$report"
