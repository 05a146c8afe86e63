#!/usr/bin/env bash
# A DuckDB file into PostgreSQL: `wharf run` (a type: duckdb source, the PostgreSQL warehouse,
# mode: replace) against DuckDB's own COPY … TO a CSV file loaded by psql's \copy, on N rows of a
# generated orders table (id, customer, amount DECIMAL(12,2), status, created_at).
#   bench/duckdb-source.sh [--rows N] [--runs K]
# Each side runs K times (default 3), alternating which goes first; the medians are compared.
# The baseline's COPY TO runs through `wharf exec` (there is no DuckDB CLI here), so it includes
# one .NET start (~0.3 s); Wharf's side includes its lake (Parquet, manifest) and audit.
# PostgreSQL: WHARF_BENCH_PG (a postgres:// URL of a scratch database) or a throwaway server from
# scripts/postgres.sh. Target: Wharf within 1.1x of the baseline at 5,000,000 rows.
# Output: bench/out/duckdb-source/ (report.txt and the run's files). Exit code 0 when both sides
# loaded every row (even if the target is missed), 1 otherwise, 2 on bad usage.
set -euo pipefail

rows=5000000
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "duckdb-source.sh: --rows needs a number" >&2; exit 2; }; rows=$2; shift 2 ;;
    --runs) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "duckdb-source.sh: --runs needs a positive number" >&2; exit 2; }; runs=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) echo "duckdb-source.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/bench/out/duckdb-source
rm -rf "$out"
mkdir -p "$out/project"

url=${WHARF_BENCH_PG:-}
if [[ -z "$url" ]]; then
  eval "$("$root/scripts/postgres.sh" start)"
  trap '"$root/scripts/postgres.sh" stop "$WHARF_TEST_PG_DIR" >/dev/null 2>&1 || true' EXIT
  url=$WHARF_TEST_POSTGRES_URL
fi
psql=$(command -v psql || echo "${WHARF_TEST_PG_BIN:-/usr/bin}/psql")
now() { date +%s.%N; }
seconds() { echo "$2 - $1" | bc -l; }

cat >"$out/project/wharf.yml" <<EOF
warehouse: "$url"
lake: lake/
connections:
  staging: { type: duckdb, path: staging.duckdb }
pipelines:
  orders:
    source: staging
    tables: [orders]
    schema: bench_wharf
    mode: replace
EOF
cat >"$out/project/generate.sql" <<EOF
CREATE OR REPLACE TABLE orders AS
SELECT i AS id, (i * 7919) % 100000 AS customer_id, CAST(((i * 31) % 100000) / 100.0 AS DECIMAL(12,2)) AS amount,
       ['new', 'paid', 'shipped', 'delivered', 'cancelled'][1 + i % 5] AS status,
       TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS created_at
FROM range($rows) r(i);
EOF
cat >"$out/project/export.sql" <<EOF
COPY orders TO '$out/orders.csv' (FORMAT csv, HEADER);
EOF

echo "duckdb-source.sh: generating $rows rows..." >&2
"$root/wharf" exec staging --file "$out/project/generate.sql" --project "$out/project" >/dev/null
"$root/wharf" --version >/dev/null   # the launcher builds once, outside the measurements

"$psql" -X -q -v ON_ERROR_STOP=1 "$url" -c "DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy;
  CREATE TABLE bench_copy.orders (id bigint, customer_id bigint, amount numeric(12,2), status text, created_at timestamp);"

run_wharf() {
  local start
  start=$(now)
  "$root/wharf" run --project "$out/project" >"$out/wharf.log" 2>&1
  wharf_times+=("$(seconds "$start" "$(now)")")
}
run_copy() {
  local start
  "$psql" -X -q -v ON_ERROR_STOP=1 "$url" -c "TRUNCATE bench_copy.orders"
  start=$(now)
  "$root/wharf" exec staging --file "$out/project/export.sql" --project "$out/project" >/dev/null
  "$psql" -X -q -v ON_ERROR_STOP=1 "$url" -c "\\copy bench_copy.orders FROM '$out/orders.csv' (FORMAT csv, HEADER)"
  copy_times+=("$(seconds "$start" "$(now)")")
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

wharf_times=()
copy_times=()
for ((round = 1; round <= runs; round++)); do
  if ((round % 2)); then run_wharf; run_copy; else run_copy; run_wharf; fi
  echo "duckdb-source.sh: round $round: wharf ${wharf_times[-1]} s, COPY TO + \\copy ${copy_times[-1]} s" >&2
done
wharf_seconds=$(median "${wharf_times[@]}")
copy_seconds=$(median "${copy_times[@]}")

wharf_rows=$("$psql" -X -A -t "$url" -c "SELECT count(*) FROM bench_wharf.orders")
copy_rows=$("$psql" -X -A -t "$url" -c "SELECT count(*) FROM bench_copy.orders")
same=$("$psql" -X -A -t "$url" -c "SELECT count(*) FROM (SELECT id, customer_id, amount, status, created_at FROM bench_wharf.orders EXCEPT ALL SELECT id, customer_id, amount, status, created_at FROM bench_copy.orders) d")
ratio=$(echo "$wharf_seconds / $copy_seconds" | bc -l)
verdict=$(echo "$ratio <= 1.1" | bc -l)
{
  printf 'rows            %d\n' "$rows"
  printf 'rounds          %d (medians; every round: wharf %s, COPY TO + \\copy %s)\n' "$runs" "${wharf_times[*]}" "${copy_times[*]}"
  printf 'wharf run       %.2f s (%d rows)\n' "$wharf_seconds" "$wharf_rows"
  printf 'COPY TO + \\copy %.2f s (%d rows)\n' "$copy_seconds" "$copy_rows"
  printf 'ratio           %.2f (target <= 1.10: %s)\n' "$ratio" "$([ "$verdict" = 1 ] && echo PASS || echo MISS)"
  printf 'rows differing  %d\n' "$same"
} | tee "$out/report.txt"
[[ "$wharf_rows" == "$rows" && "$copy_rows" == "$rows" && "$same" == 0 ]]
