#!/usr/bin/env bash
# Wharf vs DuckDB alone, side by side: the generated orders CSV into a DuckDB warehouse.
#   bench/run.sh [--rows N] [--runs K] [--warmup W] [--timeout SECONDS] [--quiet-wait SECONDS]
# (a) wharf run --project bench/project   CSV → Parquet lake → warehouse table (mode: replace)
# (b) Wharf.Bench duckdb-alone            CREATE TABLE AS SELECT * FROM read_csv(...); COPY TO parquet
# Each side runs K times, alternating which goes first, under /usr/bin/time -v (wall seconds,
# CPU seconds, peak RSS), each once the machine is idle; a round during which other processes
# took CPU is measured again (at most K extra rounds). Prints every run, the medians, the median ratio wharf/duckdb and wharf's median
# and largest peak RSS, with PASS/FAIL against the targets (median ratio <= 1.3, largest peak < 1024 MiB).
# Exit code: 0 when every run succeeded (even if a target is missed), 1 on an error, 2 on bad usage.
set -euo pipefail

rows=5000000
runs=3
warmup=1
timeout_seconds=1800
quiet_wait=60
max_ratio=1.3
max_peak_mib=1024

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
positive() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || { echo "run.sh: $1 must be an integer >= $3, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [ $# -ge 2 ] || usage; positive --rows "$2" 1; rows=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; positive --runs "$2" 1; runs=$2; shift 2 ;;
    --warmup) [ $# -ge 2 ] || usage; positive --warmup "$2" 0; warmup=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; positive --timeout "$2" 1; timeout_seconds=$2; shift 2 ;;
    --quiet-wait) [ $# -ge 2 ] || usage; positive --quiet-wait "$2" 0; quiet_wait=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ "$runs" -le 50 ] || { echo "run.sh: --runs is capped at 50" >&2; exit 2; }
[ "$warmup" -le 5 ] || { echo "run.sh: --warmup is capped at 5" >&2; exit 2; }

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
wharf="$root/wharf"
project="$bench/project"
data="$bench/data"
out="$bench/out"
bench_tool="$out/build/bin/Wharf.Bench/release/Wharf.Bench"

[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time (GNU time) is needed for peak memory; apt-get install time" >&2; exit 1; }
command -v timeout >/dev/null || { echo "run.sh: 'timeout' (coreutils) is needed" >&2; exit 1; }
[ -x "$wharf" ] || { echo "run.sh: $wharf not found or not executable (the repository's launcher)" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "run.sh: $*" >&2; exit 1; }

# Builds into bench/out/build so that it never races a build of src/ running in the work tree.
echo "== building the bench tool (Release)" >&2
dotnet build "$bench/Wharf.Bench/Wharf.Bench.csproj" -c Release --artifacts-path "$out/build" -nologo -v quiet \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "building bench/Wharf.Bench failed"; }

if [ ! -s "$data/orders.csv" ] || [ "$(cat "$data/orders.rows" 2>/dev/null)" != "$rows" ]; then
  echo "== generating $rows orders into $data" >&2
  rm -f "$data/orders.rows"
  "$bench_tool" generate --rows "$rows" --out "$data" >&2 || fail "generating the data failed"
  echo "$rows" >"$data/orders.rows"
fi

duckdb_version=$("$bench_tool" version)
echo "== warming up wharf (the launcher may build on first use)" >&2
"$wharf" --help >"$work/wharf-help.log" 2>&1 || { cat "$work/wharf-help.log" >&2; fail "'$wharf --help' failed"; }

# machine_busy, wait_for_quiet, time_report, noisy, median, verdict.
source "$bench/lib.sh"

# Runs one side under /usr/bin/time; prints "wall_seconds peak_kib cpu_seconds foreign_cpu_seconds", where
# foreign is what other processes took from the machine meanwhile: the noise in this measurement.
measure() {
  local side=$1 log="$work/$1.log" timing="$work/$1.time" busy_before busy_after
  wait_for_quiet
  busy_before=$(machine_busy)
  case "$side" in
    wharf)
      rm -rf "$project/out"
      # The launcher rebuilds the CLI when src/ changed; let that happen before the clock starts.
      "$wharf" --help >"$log" 2>&1 || { cat "$log" >&2; fail "'$wharf --help' failed"; }
      (cd "$root" && timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "$wharf" run --project "$project") >"$log" 2>&1 \
        || { tail -n 40 "$log" >&2; fail "wharf run failed or timed out (log above)"; }
      ;;
    duckdb)
      rm -rf "$out/duckdb-alone"
      timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "$bench_tool" duckdb-alone \
        --csv "$data/orders.csv" --db "$out/duckdb-alone/orders.duckdb" --parquet "$out/duckdb-alone/orders.parquet" >"$log" 2>&1 \
        || { tail -n 40 "$log" >&2; fail "duckdb-alone failed or timed out (log above)"; }
      ;;
  esac
  busy_after=$(machine_busy)
  # A rebuild inside the timed run (src/ changed in the meantime) is noise too: count it as foreign CPU.
  if [ "$side" = wharf ] && grep -q '^wharf: building' "$log"; then busy_after=$(awk -v b="$busy_after" 'BEGIN { print b + 1000 }'); fi
  local report
  report=$(time_report "$timing") || fail "could not read $timing"
  awk -v r="$report" -v busy="$busy_before $busy_after" 'BEGIN {
    split(r, m, " "); split(busy, b, " "); foreign = b[2] - b[1] - m[3]; if (foreign < 0) foreign = 0
    printf "%s %s %s %.2f\n", m[1], m[2], m[3], foreign }'
}

# Both sides must have loaded every row, wharf into the warehouse and the lake too.
verify() {
  local counts
  counts=$("$bench_tool" count --db "$project/out/warehouse.duckdb" --table orders --parquet "$project/out/lake") \
    || fail "could not count wharf's output"
  read -r table_rows lake_rows <<<"$counts"
  [ "$table_rows" = "$rows" ] || fail "wharf's warehouse table has $table_rows rows, expected $rows"
  [ "$lake_rows" = "$rows" ] || fail "wharf's lake holds $lake_rows rows, expected $rows"
  counts=$("$bench_tool" count --db "$out/duckdb-alone/orders.duckdb" --table orders --parquet "$out/duckdb-alone/orders.parquet") \
    || fail "could not count duckdb-alone's output"
  read -r table_rows lake_rows <<<"$counts"
  [ "$table_rows" = "$rows" ] && [ "$lake_rows" = "$rows" ] || fail "duckdb-alone wrote $table_rows/$lake_rows rows, expected $rows"
}

for ((i = 1; i <= warmup; i++)); do
  echo "== warm-up $i/$warmup (not counted)" >&2
  measure wharf >/dev/null
  measure duckdb >/dev/null
  verify
done

results="$work/results.tsv"
: >"$results"
printf '%-5s  %-6s  %8s  %8s  %7s  %9s  %9s  %9s  %10s\n' \
  round first wharf_s duckdb_s ratio wharf_MiB duckdb_MiB wharf_cpu duckdb_cpu
round=0
redone=0
while [ "$(wc -l <"$results")" -lt "$runs" ]; do
  round=$((round + 1))
  if ((round % 2)); then first=wharf; w=$(measure wharf); d=$(measure duckdb)
  else first=duckdb; d=$(measure duckdb); w=$(measure wharf); fi
  verify
  read -r ws wk wc wf <<<"$w"
  read -r ds dk dc df <<<"$d"
  ratio=$(awk -v a="$ws" -v b="$ds" 'BEGIN { printf "%.3f", a / b }')
  line=$(printf '%-5s  %-6s  %8s  %8s  %7s  %9.0f  %10.0f  %9s  %10s' "$round" "$first" "$ws" "$ds" "$ratio" \
    "$(awk -v k="$wk" 'BEGIN { print k / 1024 }')" "$(awk -v k="$dk" 'BEGIN { print k / 1024 }')" "$wc" "$dc")
  # Another process stole CPU during this round: measure it again, a bounded number of times.
  if { noisy "$wc" "$wf" || noisy "$dc" "$df"; } && [ "$redone" -lt "$runs" ]; then
    redone=$((redone + 1))
    echo "$line   noisy (other processes used ${wf}s / ${df}s CPU meanwhile; over 1000 s means wharf rebuilt itself), measured again"
    continue
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$first" "$ws" "$ds" "$ratio" "$wk" "$dk" "$wc" "$dc" >>"$results"
  echo "$line"
done

wharf_median=$(cut -f3 "$results" | median)
duckdb_median=$(cut -f4 "$results" | median)
ratio_median=$(cut -f5 "$results" | median)
peak_median=$(cut -f6 "$results" | median | awk '{ printf "%.0f", $1 / 1024 }')
peak_max=$(cut -f6 "$results" | sort -g | tail -n 1 | awk '{ printf "%.0f", $1 / 1024 }')
duckdb_peak_median=$(cut -f7 "$results" | median | awk '{ printf "%.0f", $1 / 1024 }')

echo
echo "rows $rows, $runs runs (+$warmup warm-up, $redone noisy rounds measured again), $(nproc) cores, DuckDB $duckdb_version, $(date -u +%Y-%m-%dT%H:%MZ)"
printf 'median wall seconds   wharf %s   duckdb alone %s   (ratio of medians %s)\n' "$wharf_median" "$duckdb_median" \
  "$(awk -v a="$wharf_median" -v b="$duckdb_median" 'BEGIN { printf "%.3f", a / b }')"
printf 'median CPU seconds    wharf %s   duckdb alone %s   (user + system, all threads)\n' \
  "$(cut -f8 "$results" | median)" "$(cut -f9 "$results" | median)"
printf 'median ratio          %.3f   target <= %s   %s\n' "$ratio_median" "$max_ratio" "$(verdict "$ratio_median" "$max_ratio" '<=')"
printf 'wharf peak RSS        %s MiB median, %s MiB max   target < %s MiB   %s   (duckdb alone %s MiB)\n' \
  "$peak_median" "$peak_max" "$max_peak_mib" "$(verdict "$peak_max" "$max_peak_mib" '<')" "$duckdb_peak_median"
cp "$results" "$out/results.tsv"
