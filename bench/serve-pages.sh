#!/usr/bin/env bash
# How fast `wharf serve` answers over a long history: a project with one pipeline whose audit holds
# N runs (default 10,000: one real run, the rest copies of its audit row an hour apart, written by
# DuckDB alone), then each dashboard page and API call timed with curl, K times (default 5), median.
#   bench/serve-pages.sh [--runs N] [--times K] [--launcher]
# Target (issue 14): every page well under a second at 10,000 runs.
# Output: bench/out/serve-pages/report.md. Exit code 0 when every page answered 200, 1 otherwise, 2 on bad usage.
set -euo pipefail

runs=10000
times=5
launcher=no
quiet_wait=30
usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage; runs=$2; shift 2 ;;
    --times) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage; times=$2; shift 2 ;;
    --launcher) launcher=yes; shift ;;
    *) usage ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wharf=$root/wharf
out=$root/bench/out/serve-pages
work=$out/work
# shellcheck source=lib.sh
source "$root/bench/lib.sh"
bench_setup serve-pages.sh
command -v curl >/dev/null || fail "curl is needed"
rm -rf "$work" "$out/project"
mkdir -p "$work" "$out/project/data"

say "building the bench tool"
dotnet build "$root/bench/Wharf.Bench" -c Release -o "$out/bench-tool" >"$work/bench-build.log" 2>&1 || { tail -n 30 "$work/bench-build.log" >&2; fail "building bench/Wharf.Bench failed"; }
choose_wharf

printf 'id,amount,at\n' >"$out/project/data/orders.csv"
for i in $(seq 1 200); do printf '%d,%d.5,2026-01-01 %02d:00:00\n' "$i" "$i" $((i % 24)); done >>"$out/project/data/orders.csv"
cat >"$out/project/wharf.yml" <<YAML
warehouse: warehouse.duckdb
lake: lake/
connections:
  files: { type: files, path: data/ }
pipelines:
  orders: { source: files, files: "orders.csv", mode: replace, freshness: 2h, checks: [not_null: [id]] }
YAML
"${wharf_cmd[@]}" run --project "$out/project" >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; fail "the first run failed"; }

say "copying its audit row to $runs runs"
cat >"$work/history.sql" <<SQL
INSERT INTO _wharf.runs
SELECT first_run.* REPLACE (strftime(started_at - INTERVAL (i) HOUR, '%Y%m%dT%H%M%S') || '000Z-' || lpad(to_hex(i), 6, '0') AS run_id,
                  started_at - INTERVAL (i) HOUR AS started_at, finished_at - INTERVAL (i) HOUR AS finished_at)
FROM _wharf.runs first_run, range(1, $runs) r(i);
SQL
dotnet "$out/bench-tool/Wharf.Bench.dll" sql --db "$out/project/warehouse.duckdb" --file "$work/history.sql" >/dev/null
count=$(dotnet "$out/bench-tool/Wharf.Bench.dll" count --db "$out/project/warehouse.duckdb" --table runs --parquet "$out/project/lake/orders" | cut -d' ' -f1)
[ "$count" = "$runs" ] || fail "the audit holds $count runs, not $runs"

port=$((20000 + RANDOM % 10000))
"${wharf_cmd[@]}" serve --project "$out/project" --port "$port" >"$work/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/serve.log" >&2; fail "wharf serve is not ready"; }
run_id=$(curl -fs "http://127.0.0.1:$port/api/runs?limit=1" | sed -n 's/.*"run_id":"\([^"]*\)".*/\1/p' | head -n 1)

{
  echo "$(date -u +%F), $(nproc) cores; wharf at commit $wharf_commit; $runs runs in the audit; each page $times times (curl time_total, seconds)."
  echo
  echo "| page | median s | slowest s | bytes |"
  echo "|---|---:|---:|---:|"
} >"$out/report.md"
wait_for_quiet
for page in / /runs "/runs/$run_id" /pipelines/orders /tables /tables/main/orders /lake /lineage /api/runs /api/pipelines /metrics; do
  : >"$work/times"
  for _ in $(seq 1 "$times"); do
    curl -fs -o "$work/body" -w '%{time_total}\n' "http://127.0.0.1:$port$page" >>"$work/times" || fail "$page did not answer 200"
  done
  echo "| \`$page\` | $(median <"$work/times") | $(sort -g "$work/times" | tail -n 1) | $(wc -c <"$work/body") |" >>"$out/report.md"
done
cat "$out/report.md"
