#!/usr/bin/env bash
# An Excel workbook into DuckDB: `wharf run` (a files pipeline over one .xlsx, mode: replace) against
# the bare streaming read a user could write instead (ExcelDataReader over every cell, no load),
# on an .xlsx of N order rows (id, customer_id, amount, created_at as a date cell, status as text).
#   bench/excel.sh [--rows N] [--runs K] [--launcher] [--quiet-wait SECONDS]
# Both run under /usr/bin/time -v after the machine is idle, K rounds alternating who goes first;
# Wharf's side includes its lake (Parquet, manifest), the load and the audit. Target: Wharf within
# 1.5x of the bare read at 500,000 rows (issue 15).
# Output: bench/out/excel/report.md. Exit code 0 when both sides read every row, 1 otherwise, 2 on bad usage.
set -euo pipefail

rows=500000
runs=3
launcher=no
quiet_wait=60
usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [[ "${2:-}" =~ ^[0-9]+$ ]] || usage; rows=$2; shift 2 ;;
    --runs) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage; runs=$2; shift 2 ;;
    --launcher) launcher=yes; shift ;;
    --quiet-wait) [[ "${2:-}" =~ ^[0-9]+$ ]] || usage; quiet_wait=$2; shift 2 ;;
    *) usage ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wharf=$root/wharf
out=$root/bench/out/excel
work=$out/work
# shellcheck source=lib.sh
source "$root/bench/lib.sh"
bench_setup excel.sh
rm -rf "$work" "$out/project"
mkdir -p "$work" "$out/project/data"

say "building the bench tool"
dotnet build "$root/bench/Wharf.Bench" -c Release -o "$out/bench-tool" >"$work/bench-build.log" 2>&1 || { tail -n 30 "$work/bench-build.log" >&2; fail "building bench/Wharf.Bench failed"; }
bench_tool=(dotnet "$out/bench-tool/Wharf.Bench.dll")
choose_wharf

book=$out/project/data/orders.xlsx
say "writing $rows rows to $book"
"${bench_tool[@]}" xlsx --rows "$rows" --out "$book"
cat >"$out/project/wharf.yml" <<YAML
warehouse: warehouse.duckdb
lake: lake/
connections:
  files: { type: files, path: data/ }
pipelines:
  orders: { source: files, files: "orders.xlsx", mode: replace }
YAML

# measure NAME COMMAND...: one timed run; prints "wall peak_kib cpu" and checks the rows.
measure() {
  local name=$1 report="$work/$1.time"
  shift
  wait_for_quiet
  /usr/bin/time -v -o "$report" "$@" >"$work/$name.out" 2>"$work/$name.err" || { tail -n 20 "$work/$name.err" >&2; fail "$name failed"; }
  time_report "$report"
}

: >"$work/results.tsv"
for round in $(seq 1 "$runs"); do
  order=(wharf bare)
  (( round % 2 == 0 )) && order=(bare wharf)
  for side in "${order[@]}"; do
    if [ "$side" = wharf ]; then
      result=$(measure wharf "${wharf_cmd[@]}" run --project "$out/project")
      got=$("${bench_tool[@]}" count --db "$out/project/warehouse.duckdb" --table orders --parquet "$out/project/lake/orders" | cut -d' ' -f1)
    else
      result=$(measure bare "${bench_tool[@]}" read-xlsx --file "$book")
      got=$(cat "$work/bare.out")
    fi
    [ "$got" = "$rows" ] || fail "$side read $got rows, not $rows"
    echo "$round $side $result" | tee -a "$work/results.tsv" >&2
  done
done

med() { awk -v s="$1" -v f="$2" '$2 == s { print $f }' "$work/results.tsv" | median; }
wharf_wall=$(med wharf 3); bare_wall=$(med bare 3)
ratio=$(awk -v a="$wharf_wall" -v b="$bare_wall" 'BEGIN { printf "%.3f", a / b }')
{
  echo "$(date -u +%F), $(nproc) cores; wharf at commit $wharf_commit; $rows rows, $runs rounds (medians)."
  echo
  echo "| side | wall s | CPU s | peak RSS MiB |"
  echo "|---|---:|---:|---:|"
  echo "| wharf run (xlsx → lake → DuckDB) | $wharf_wall | $(med wharf 5) | $(( $(med wharf 4 | cut -d. -f1) / 1024 )) |"
  echo "| bare ExcelDataReader read | $bare_wall | $(med bare 5) | $(( $(med bare 4 | cut -d. -f1) / 1024 )) |"
  echo
  echo "wharf / bare read: $ratio (target <= 1.5: $(verdict "$ratio" 1.5 '<='))"
} | tee "$out/report.md"
