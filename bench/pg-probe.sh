#!/usr/bin/env bash
# Where wharf's time goes when it loads PostgreSQL: the steps of bench/postgres.sh's wharf runs
# re-enacted one at a time by bench/PgLoadProbe (same DuckDB build, same Npgsql, same SQL as wharf),
# next to alternatives, on a throwaway server. Each step runs K times (median), once the machine is idle.
#   bench/pg-probe.sh [--rows N] [--runs K] [--steps NAME,NAME...] [--quiet-wait SECONDS]
# Needs the data of bench/postgres.sh (bench/data/ or bench/data/rows-N/). Prints a Markdown table.
set -euo pipefail

rows=5000000
runs=3
quiet_wait=30
only=
usage() { sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [ $# -ge 2 ] || usage; rows=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
    --quiet-wait) [ $# -ge 2 ] || usage; quiet_wait=$2; shift 2 ;;
    --steps) [ $# -ge 2 ] || usage; only=",$2,"; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$rows" =~ ^[0-9]+$ && "$runs" =~ ^[0-9]+$ && "$quiet_wait" =~ ^[0-9]+$ ]] || usage

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
out="$bench/out/probe"
probe="$bench/out/build/bin/PgLoadProbe/release/PgLoadProbe"
source "$bench/lib.sh"
source "$root/scripts/postgres.sh"
fail() { echo "pg-probe.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

if [ "$(cat "$bench/data/orders.rows" 2>/dev/null)" = "$rows" ]; then data="$bench/data"; else data="$bench/data/rows-$rows"; fi
[ -s "$data/orders.csv" ] && [ "$(cat "$data/orders.rows" 2>/dev/null)" = "$rows" ] ||
  fail "no $rows-row data in $data; run bench/postgres.sh --rows $rows first (it generates it)"
csv="$data/orders.csv"

mkdir -p "$out"
work=$(mktemp -d)
cleanup() { wharf_pg_stop >/dev/null 2>&1 || true; rm -rf "$work" "$out"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building bench/PgLoadProbe (Release)"
dotnet build "$bench/PgLoadProbe/PgLoadProbe.csproj" -c Release --artifacts-path "$bench/out/build" -nologo -v quiet \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "building bench/PgLoadProbe failed"; }

say "starting a throwaway PostgreSQL server"
wharf_pg_start || fail "could not start PostgreSQL"
port=${WHARF_TEST_POSTGRES_URL##*:}; port=${port%%/*}
postmaster=$(head -n 1 "$WHARF_TEST_PG_DIR/data/postmaster.pid")
psql_cmd="$WHARF_TEST_PG_BIN/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $port -U wharf"
pg() { PGOPTIONS='-c client_min_messages=warning' $psql_cmd "$@"; }
conn="Host=127.0.0.1;Port=$port;Username=wharf;Database=probe"
pg -d postgres -c "ALTER SYSTEM SET autovacuum = off" -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "SELECT pg_reload_conf()" >/dev/null
pg -d postgres -c "CREATE DATABASE probe" >/dev/null
say "loading $rows rows into probe.public.orders (for the extract steps)"
pg -d probe >/dev/null <<SQL
CREATE TABLE public.orders (
  id bigint NOT NULL, customer_id bigint NOT NULL, customer_name text, created_at timestamp NOT NULL,
  status text NOT NULL, amount numeric(12,2), quantity integer NOT NULL, country text NOT NULL,
  note text, updated_at timestamp NOT NULL);
\copy public.orders FROM '$csv' CSV HEADER
ALTER TABLE public.orders ADD PRIMARY KEY (id);
VACUUM (FREEZE, ANALYZE) public.orders;
SQL

# The SQL wharf runs (Sources/Files/FileReaderSql.cs, Lake/LakeWriter.cs, Warehouses/LakeSelect.cs,
# Sources/Sql/Postgres/PostgresColumnPlan.cs).
read_csv="read_csv(['$csv'], header = true, delim = ',', quote = '\"', escape = '\"', skip = 0, strict_mode = true, allow_quoted_nulls = false)"
lake="$out/orders.parquet"
meta="'probe' AS _wharf_run_id, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS _wharf_loaded_at"
lake_select="SELECT *, $meta FROM read_parquet(['$lake'], union_by_name = true)"
direct_select="SELECT *, $meta FROM $read_csv"
export_copy="COPY (SELECT \"id\", \"customer_id\", \"customer_name\", \"created_at\", \"status\", \"amount\"::text, \"quantity\", \"country\", \"note\", \"updated_at\" FROM \"public\".\"orders\") TO STDOUT (FORMAT BINARY)"
files_ddl="id bigint, customer_id bigint, customer_name text, created_at timestamp, status text, amount double precision, quantity bigint, country text, note text, updated_at timestamp, _wharf_run_id text, _wharf_loaded_at timestamptz"

# name | what it is | what it runs
steps=(
  "extract-zstd|wharf's extract: read_csv → lake Parquet (zstd, row groups of 100,000)|exec|COPY (SELECT * FROM $read_csv) TO '$lake' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)"
  "extract-snappy|the same with snappy|exec|COPY (SELECT * FROM $read_csv) TO '$out/snappy.parquet' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 100000)"
  "extract-none|the same uncompressed|exec|COPY (SELECT * FROM $read_csv) TO '$out/none.parquet' (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 100000)"
  "read|lake → DuckDbDataReader, every value read (wharf's getters), nothing sent|read|$lake_select"
  "raw-null|lake → reader → lean binary-COPY encoder, output dropped|raw-null|$lake_select"
  "native-null|lake → DuckDB chunks read in place → encoder, output dropped|native-null|$lake_select"
  "npgsql|wharf's load: lake → reader → NpgsqlBinaryImporter.Write per value → PostgreSQL|npgsql|$lake_select"
  "raw|lake → reader → lean encoder → raw binary COPY → PostgreSQL|raw|$lake_select"
  "native|lake → chunks in place → lean encoder → raw binary COPY → PostgreSQL|native|$lake_select"
  "direct-native|read_csv → chunks in place → encoder → PostgreSQL (no lake round trip)|native|$direct_select"
  "direct-npgsql|read_csv → reader → NpgsqlBinaryImporter → PostgreSQL (no lake round trip)|npgsql|$direct_select"
  "server-binary|psql \\copy of the same rows as a binary COPY file: the server alone|server-binary|"
  "server-csv|psql \\copy ... CSV HEADER (the baseline of bench/postgres.sh)|server-csv|"
  "pg-export-null|wharf's PostgreSQL extract loop (binary COPY out → object[]), values dropped|pg-export-null|$export_copy"
  "pg-export-stage|the same, appended to a DuckDB temp table (wharf's StagingTable, no lake write), DELETE FROM every 1M rows|pg-export-stage|$export_copy"
  "pg-export-stage-truncate|the same, TRUNCATE every 1M rows|pg-export-stage:truncate|$export_copy"
  "pg-export-stage-drop|the same, DROP TABLE and CREATE again every 1M rows|pg-export-stage:drop|$export_copy"
  "pg-export-psql|psql \\copy (SELECT ...) TO /dev/null (FORMAT binary): the source server alone|pg-export-psql|"
)

results="$work/results.tsv"
: >"$results"
run_step() {
  local name=$1 variant=$2 sql=$3 log="$work/step.log" timing="$work/step.time" b0 b1 s0 s1 k0 k1 report got extra=()
  if [[ $variant == *:* ]]; then extra=(--reset "${variant#*:}"); variant=${variant%%:*}; fi
  case "$variant" in
    npgsql | raw | native) pg -d probe -c "DROP TABLE IF EXISTS probe_load" -c CHECKPOINT >/dev/null ;;
    server-binary | server-csv)
      pg -d probe -c "DROP TABLE IF EXISTS probe_load" -c "CREATE TABLE probe_load ($files_ddl)" -c CHECKPOINT >/dev/null ;;
  esac
  sync
  wait_for_quiet
  b0=$(machine_busy); s0=$(pg_server_cpu "$postmaster"); k0=$(kernel_cpu)
  case "$variant" in
    server-binary) /usr/bin/time -v -o "$timing" $psql_cmd -d probe -c "\\copy probe_load FROM '$work/orders.bin' (FORMAT binary)" >"$log" 2>&1 ;;
    server-csv)
      /usr/bin/time -v -o "$timing" $psql_cmd -d probe \
        -c "\\copy probe_load (id, customer_id, customer_name, created_at, status, amount, quantity, country, note, updated_at) FROM '$csv' CSV HEADER" >"$log" 2>&1 ;;
    pg-export-psql)
      /usr/bin/time -v -o "$timing" $psql_cmd -d probe -c "\\copy (SELECT id, customer_id, customer_name, created_at, status, amount::text, quantity, country, note, updated_at FROM public.orders) TO '/dev/null' (FORMAT binary)" >"$log" 2>&1 ;;
    *) /usr/bin/time -v -o "$timing" "$probe" --variant "$variant" --sql "$sql" --pg "$conn" --table probe_load "${extra[@]}" >"$log" 2>&1 ;;
  esac || { cat "$log" >&2; fail "step $name failed"; }
  pg_wait_for_backends "$postmaster" wharf
  b1=$(machine_busy); s1=$(pg_server_cpu "$postmaster"); k1=$(kernel_cpu)
  got=$(sed -n 's/.*rows=\([0-9]*\).*/\1/p' "$log")
  case "$variant" in
    server-* | npgsql | raw | native) got=$(pg -A -t -d probe -c "SELECT count(*) FROM probe_load") ;;
    pg-export-psql) got=$(sed -n 's/^COPY \([0-9]*\)$/\1/p' "$log"); got=${got:-$rows} ;;
  esac
  [ "$got" = "$rows" ] || { cat "$log" >&2; fail "step $name handled $got rows, expected $rows"; }
  report=$(time_report "$timing") || fail "could not read $timing"
  awk -v n="$name" -v r="$report" -v b="$b0 $b1" -v s="$s0 $s1" -v k="$k0 $k1" 'BEGIN {
    split(r, m, " "); split(b, bb, " "); split(s, ss, " "); split(k, kk, " ")
    srv = ss[2] - ss[1]; foreign = bb[2] - bb[1] - m[3] - srv - (kk[2] - kk[1]); if (foreign < 0) foreign = 0
    printf "%s\t%s\t%s\t%s\t%.2f\t%.2f\n", n, m[1], m[2], m[3], srv, foreign }' | tee -a "$results" |
    awk -F'\t' '{ printf "   %-16s %7.2f s  client CPU %6.2f s  server CPU %6.2f s  %5.0f MiB%s\n", $1, $2, $4, $5, $3 / 1024, ($6 > 0.5 + 0.1 * ($4 + $5) ? "  (noisy)" : "") }' >&2
}

if [ -n "$only" ]; then
  # The lake file and the binary COPY file that the chosen steps read, made untimed.
  "$probe" --variant exec --sql "COPY (SELECT * FROM $read_csv) TO '$lake' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)" >/dev/null
  "$probe" --variant native-file --sql "$lake_select" --out "$work/orders.bin" >/dev/null
fi

for ((r = 1; r <= runs; r++)); do
  say "round $r/$runs"
  for step in "${steps[@]}"; do
    IFS='|' read -r name _ variant sql <<<"$step"
    [ -z "$only" ] || [[ $only == *",$name,"* ]] || continue
    run_step "$name" "$variant" "$sql"
    if [ "$name" = extract-zstd ] && [ ! -s "$work/orders.bin" ]; then
      "$probe" --variant native-file --sql "$lake_select" --out "$work/orders.bin" >/dev/null   # for server-binary (untimed)
    fi
  done
done

echo
echo "$rows rows, median of $runs runs; $(nproc) cores; PostgreSQL $(pg -A -t -d probe -c 'SHOW server_version' | cut -d' ' -f1), DuckDB via Wharf's bindings, $(date -u +%Y-%m-%d)."
echo
echo "| step | what | wall s | client CPU s | server CPU s | client peak MiB |"
echo "|---|---|---:|---:|---:|---:|"
for step in "${steps[@]}"; do
  IFS='|' read -r name what _ _ <<<"$step"
  grep -q "^$name	" "$results" || continue
  m() { awk -F'\t' -v n="$name" -v c="$1" '$1 == n { print $c }' "$results" | median; }
  printf '| %s | %s | %.2f | %.2f | %.2f | %.0f |\n' "$name" "$what" "$(m 2)" "$(m 4)" "$(m 5)" "$(awk -v k="$(m 3)" 'BEGIN { print k / 1024 }')"
done
