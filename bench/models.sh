#!/usr/bin/env bash
# SQL models and exports: `wharf build` / `wharf export` against the same SQL run by the engine alone.
#   bench/models.sh [--rows N] [--runs K] [--warehouses LIST] [--launcher] [--timeout SECONDS] [--quiet-wait SECONDS]
# The generated orders (bench/data/orders.csv, N rows, default 5000000) are loaded once, untimed,
# into raw.orders of each warehouse (DuckDB file; PostgreSQL database on a throwaway server). Then,
# K rounds each (default 3, alternating who goes first), under /usr/bin/time -v once the machine is idle:
#   mart         a table model: orders joined to a countries seed, aggregated by region, country,
#                status and day; against CREATE TABLE ... AS the same SELECT (DuckDB alone through
#                bench/Wharf.Bench sql; psql -f on PostgreSQL)
#   incremental  an incremental model (unique_key id, updated_at > max) after 1% new rows, against
#                the same delete + insert of the new rows in one transaction
#   startup      wharf build of a one-row view (the fixed start-up: process, project, audit), against
#                the engine's client running SELECT 1
#   parquet      (DuckDB) wharf export raw.orders to Parquet, against DuckDB's COPY TO with zstd
#   csv.gz       (DuckDB) the same to gzipped CSV, against COPY TO (compression gzip)
# Every round checks that wharf and the engine produced the same rows (counts and sums).
# Targets: mart and incremental, net of each side's start-up: wharf <= 1.05 x the engine; exports
# (whole processes) <= 1.2 x COPY.
# LIST: duckdb,postgres (default both). wharf is built once from the committed HEAD (git archive,
# Release); --launcher runs ./wharf instead.
# Exit code: 0 when every run succeeded and was correct (even if a target is missed), 1 on an error
# or a wrong result, 2 on bad usage.
set -euo pipefail

rows=5000000
runs=3
warehouses=duckdb,postgres
launcher=no
timeout_seconds=1800
quiet_wait=60
max_model_ratio=1.05
max_export_ratio=1.2

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
positive() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || { echo "models.sh: $1 must be an integer >= $3, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [ $# -ge 2 ] || usage; positive --rows "$2" 1000; rows=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; positive --runs "$2" 1; runs=$2; shift 2 ;;
    --warehouses) [ $# -ge 2 ] || usage; warehouses=$2; shift 2 ;;
    --launcher) launcher=yes; shift ;;
    --timeout) [ $# -ge 2 ] || usage; positive --timeout "$2" 1; timeout_seconds=$2; shift 2 ;;
    --quiet-wait) [ $# -ge 2 ] || usage; positive --quiet-wait "$2" 0; quiet_wait=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "models.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ "$runs" -le 20 ] || { echo "models.sh: --runs is capped at 20" >&2; exit 2; }
for w in ${warehouses//,/ }; do
  case "$w" in duckdb|postgres) ;; *) echo "models.sh: --warehouses takes duckdb and/or postgres, got '$w'" >&2; exit 2 ;; esac
done

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
wharf="$root/wharf"
data="$bench/data"
out="$bench/out/models"
bench_tool="$bench/out/build/bin/Wharf.Bench/release/Wharf.Bench"

# machine_busy, wait_for_quiet, time_report, noisy, median, verdict, pg_server_cpu, kernel_cpu, choose_wharf.
source "$bench/lib.sh"
# wharf_pg_start, wharf_pg_stop: the tests' throwaway server (fsync off, trust auth, 127.0.0.1).
source "$root/scripts/postgres.sh"

bench_setup models.sh launcher

rm -rf "$out/projects" "$out/exports"
mkdir -p "$out/projects" "$out/exports" "$out/logs"
work=$(mktemp -d)
postgres_started=no
cleanup() {
  [ "$postgres_started" = no ] || wharf_pg_stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the bench tool (Release)"
dotnet build "$bench/Wharf.Bench/Wharf.Bench.csproj" -c Release --artifacts-path "$bench/out/build" -nologo -v quiet \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "building bench/Wharf.Bench failed"; }
if [ ! -s "$data/orders.csv" ] || [ "$(cat "$data/orders.rows" 2>/dev/null)" != "$rows" ]; then
  say "generating $rows orders into $data"
  rm -f "$data/orders.rows"
  "$bench_tool" generate --rows "$rows" --out "$data" >&2 || fail "generating the data failed"
  echo "$rows" >"$data/orders.rows"
fi

choose_wharf
new_rows=$((rows / 100))

# ---- the SQL, written once for both sides ----

# The mart's SELECT over the orders relation $1 and the countries relation $2.
mart_select() {
  cat <<SQL
select c.region, o.country, o.status, cast(o.created_at as date) as order_date,
       count(*) as orders, sum(o.amount) as revenue, sum(o.quantity) as items
from $1 o
join $2 c on c.country = o.country
group by 1, 2, 3, 4
SQL
}

# The incremental model's SELECT from the orders relation $1 (the new rows only when $2 is given: the relation built so far).
increment_select() {
  echo "select id, customer_id, status, amount, quantity, country, updated_at from $1"
  [ $# -lt 2 ] || echo "where updated_at > (select max(updated_at) from $2)"
}

write_project() {
  local warehouse=$1 dir=$out/projects/$1 target
  if [ "$warehouse" = duckdb ]; then target="duckdb:warehouse.duckdb"; else target=$(url models_bench); fi
  mkdir -p "$dir/models" "$dir/seeds"
  cat >"$dir/wharf.yml" <<YAML
# bench/models.sh's project (written by the script).
warehouse: $target
lake: lake/
connections:
  data: { type: files, path: $data }
pipelines:
  orders: { source: data, files: orders.csv, table: orders, schema: raw, mode: replace }
YAML
  { echo "country,region"
    for c in FR DE ES IT NL BE PL SE DK PT IE AT CH GB; do echo "$c,Europe"; done
    for c in US CA BR; do echo "$c,Americas"; done
    for c in JP IN AU; do echo "$c,Asia-Pacific"; done; } >"$dir/seeds/countries.csv"
  { echo "{{ config(materialized='table') }}"; mart_select "{{ source('orders', 'orders') }}" "{{ ref('countries') }}"; } >"$dir/models/mart_sales.sql"
  { echo "{{ config(materialized='incremental', unique_key='id') }}"
    echo "select id, customer_id, status, amount, quantity, country, updated_at from {{ source('orders', 'orders') }}"
    echo "{% if is_incremental() %}where updated_at > (select max(updated_at) from {{ this }}){% endif %}"; } >"$dir/models/orders_current.sql"
  echo "select 1 as one" >"$dir/models/startup.sql"
}

# engine WAREHOUSE SQLFILE: runs the file's statements on the warehouse, the engine alone.
engine() {
  if [ "$1" = duckdb ]; then "$bench_tool" sql --db "$out/projects/duckdb/warehouse.duckdb" --file "$2"
  else pg -d models_bench -f "$2"; fi
}

# value WAREHOUSE SQL: one value, from the engine alone.
value() {
  if [ "$1" = duckdb ]; then
    printf '%s' "COPY ($2) TO '$work/value.csv' (HEADER false);" >"$work/value.sql"
    "$bench_tool" sql --db "$out/projects/duckdb/warehouse.duckdb" --file "$work/value.sql" && cat "$work/value.csv"
  else pg_value -d models_bench -c "$2"; fi
}

# The relations: models go to schema main (Wharf's default on both warehouses); the engine's copies to bench_base.
model_schema() { echo main; }

# ---- setup, untimed ----

setup() {
  local warehouse=$1 dir=$out/projects/$1 schema
  schema=$(model_schema "$warehouse")
  write_project "$warehouse"
  say "$warehouse: loading $rows orders and building the models once (untimed)"
  (cd "$dir" && "${wharf_cmd[@]}" run orders --project . && "${wharf_cmd[@]}" build --project .) >"$out/logs/setup-$warehouse.log" 2>&1 \
    || { tail -n 30 "$out/logs/setup-$warehouse.log" >&2; fail "$warehouse: the untimed load or build failed"; }
  cat >"$work/setup.sql" <<SQL
CREATE SCHEMA IF NOT EXISTS bench_base;
DROP TABLE IF EXISTS bench_base.orders_current;
CREATE TABLE bench_base.orders_current AS $(increment_select raw.orders);
SQL
  engine "$warehouse" "$work/setup.sql" >/dev/null || fail "$warehouse: setting up the engine's tables failed"
  [ "$warehouse" = duckdb ] || pg -d models_bench -c "VACUUM ANALYZE" >/dev/null
}

# Before an incremental round: the tables as after the untimed build, then 1% new rows in raw.orders,
# updated after every row there (so the model's updated_at > max(updated_at) takes exactly them).
reset_increment() {
  local warehouse=$1 schema
  schema=$(model_schema "$warehouse")
  cat >"$work/reset.sql" <<SQL
DELETE FROM raw.orders WHERE id > $rows;
DELETE FROM $schema.orders_current WHERE id > $rows;
DELETE FROM bench_base.orders_current WHERE id > $rows;
INSERT INTO raw.orders (id, customer_id, customer_name, created_at, status, amount, quantity, country, note, updated_at)
SELECT id + $rows, customer_id, customer_name, created_at, status, amount, quantity, country, note,
       updated_at + (SELECT max(updated_at) - min(updated_at) FROM raw.orders WHERE id <= $rows) + INTERVAL '1 day'
FROM raw.orders WHERE id <= $new_rows;
SQL
  engine "$warehouse" "$work/reset.sql" >/dev/null || fail "$warehouse: resetting the incremental tables failed"
  [ "$warehouse" = duckdb ] || pg -d models_bench -c "VACUUM ANALYZE raw.orders" -c "CHECKPOINT" >/dev/null
}

# The engine's side of each task, as a SQL file.
engine_sql() {
  local warehouse=$1 task=$2 schema
  schema=$(model_schema "$warehouse")
  case "$task" in
    mart)
      if [ "$warehouse" = duckdb ]; then
        echo "CREATE OR REPLACE TABLE bench_base.mart_sales AS $(mart_select raw.orders "$schema.countries");"
      else
        echo "BEGIN; DROP TABLE IF EXISTS bench_base.mart_sales; CREATE TABLE bench_base.mart_sales AS $(mart_select raw.orders "$schema.countries"); COMMIT;"
      fi ;;
    incremental)
      cat <<SQL
BEGIN;
CREATE TEMP TABLE new_rows AS $(increment_select raw.orders bench_base.orders_current);
DELETE FROM bench_base.orders_current WHERE id IN (SELECT id FROM new_rows);
INSERT INTO bench_base.orders_current SELECT * FROM new_rows;
COMMIT;
SQL
      ;;
    startup) echo "SELECT 1;" ;;
    parquet) echo "COPY (SELECT * FROM raw.orders) TO '$out/exports/engine.parquet' (FORMAT parquet, COMPRESSION zstd);" ;;
    csv.gz) echo "COPY (SELECT * FROM raw.orders) TO '$out/exports/engine.csv.gz' (FORMAT csv, HEADER true, COMPRESSION gzip);" ;;
  esac
}

# The wharf command of each task.
wharf_args() {
  case "$2" in
    mart) echo "build --select mart_sales" ;;
    incremental) echo "build --select orders_current" ;;
    startup) echo "build --select startup" ;;
    parquet) echo "export raw.orders --to $out/exports/wharf.parquet --overwrite" ;;
    csv.gz) echo "export raw.orders --to $out/exports/wharf.csv.gz --overwrite" ;;
  esac
}

# measure WAREHOUSE TASK SIDE: prints "wall_seconds peak_kib cpu_seconds foreign_cpu_seconds", where cpu
# includes the PostgreSQL server's work and foreign is what other processes took meanwhile.
measure() {
  local warehouse=$1 task=$2 side=$3 log="$out/logs/$1-$2-$3.log" timing="$work/time" busy_before busy_after server_before=0 server_after=0
  [ "$side" = wharf ] || engine_sql "$warehouse" "$task" >"$work/task.sql"
  wait_for_quiet
  busy_before=$(machine_busy)
  [ "$warehouse" = duckdb ] || server_before=$(pg_server_cpu "$postmaster")
  if [ "$side" = wharf ]; then
    # shellcheck disable=SC2046 # the arguments are words without spaces
    (cd "$out/projects/$warehouse" && timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "${wharf_cmd[@]}" $(wharf_args "$warehouse" "$task") --project .) \
      >"$log" 2>&1 || { tail -n 30 "$log" >&2; fail "$warehouse $task: wharf failed (log above)"; }
  else
    local command=("$bench_tool" sql --db "$out/projects/duckdb/warehouse.duckdb" --file "$work/task.sql")
    [ "$warehouse" = duckdb ] || command=(env PGOPTIONS='-c client_min_messages=warning' "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1
      -h 127.0.0.1 -p "$port" -U wharf -d models_bench -f "$work/task.sql")
    timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "${command[@]}" >"$log" 2>&1 || { tail -n 30 "$log" >&2; fail "$warehouse $task: the engine failed (log above)"; }
  fi
  [ "$warehouse" = duckdb ] || { pg_wait_for_backends "$postmaster" wharf; server_after=$(pg_server_cpu "$postmaster"); }
  busy_after=$(machine_busy)
  local report
  report=$(time_report "$timing") || fail "could not read $timing"
  awk -v r="$report" -v busy="$busy_before $busy_after" -v server="$server_before $server_after" 'BEGIN {
    split(r, m, " "); split(busy, b, " "); split(server, s, " "); own = m[3] + s[2] - s[1]
    foreign = b[2] - b[1] - own; if (foreign < 0) foreign = 0
    printf "%s %s %.2f %.2f\n", m[1], m[2], own, foreign }'
}

# Both sides' results must agree (and the incremental table must hold every order plus the new ones).
verify() {
  local warehouse=$1 task=$2 schema a b
  schema=$(model_schema "$warehouse")
  case "$task" in
    mart)
      a=$(value "$warehouse" "SELECT count(*) || ' ' || sum(revenue) || ' ' || sum(items) FROM $schema.mart_sales")
      b=$(value "$warehouse" "SELECT count(*) || ' ' || sum(revenue) || ' ' || sum(items) FROM bench_base.mart_sales") ;;
    incremental)
      a=$(value "$warehouse" "SELECT count(*) || ' ' || sum(amount) || ' ' || max(updated_at) FROM $schema.orders_current")
      b=$(value "$warehouse" "SELECT count(*) || ' ' || sum(amount) || ' ' || max(updated_at) FROM bench_base.orders_current")
      [ "${a%% *}" = $((rows + new_rows)) ] || fail "$warehouse incremental: $schema.orders_current has ${a%% *} rows, expected $((rows + new_rows))" ;;
    parquet)
      a=$("$bench_tool" scalar --sql "SELECT count(*) FROM read_parquet('$out/exports/wharf.parquet')")
      b=$("$bench_tool" scalar --sql "SELECT count(*) FROM read_parquet('$out/exports/engine.parquet')") ;;
    csv.gz)
      a=$("$bench_tool" scalar --sql "SELECT count(*) FROM read_csv('$out/exports/wharf.csv.gz')")
      b=$("$bench_tool" scalar --sql "SELECT count(*) FROM read_csv('$out/exports/engine.csv.gz')") ;;
    *) return 0 ;;
  esac
  [ -n "$a" ] && [ "$a" = "$b" ] || fail "$warehouse $task: wharf gave '$a', the engine '$b'"
}

results="$out/results.tsv"
: >"$results"

run_task() {
  local warehouse=$1 task=$2 round=0 redone=0 done_rounds=0 w e ws wk wc wf es ek ec ef
  while [ "$done_rounds" -lt "$runs" ]; do
    round=$((round + 1))
    [ "$task" != incremental ] || reset_increment "$warehouse"
    if ((round % 2)); then
      w=$(measure "$warehouse" "$task" wharf); e=$(measure "$warehouse" "$task" engine)
    else
      e=$(measure "$warehouse" "$task" engine); w=$(measure "$warehouse" "$task" wharf)
    fi
    verify "$warehouse" "$task"
    read -r ws wk wc wf <<<"$w"
    read -r es ek ec ef <<<"$e"
    local line
    line=$(printf '   %-8s %-11s round %-2s  wharf %7s s %5.0f MiB CPU %6s s   engine %7s s CPU %6s s' \
      "$warehouse" "$task" "$round" "$ws" "$(awk -v k="$wk" 'BEGIN { print k / 1024 }')" "$wc" "$es" "$ec")
    if { noisy "$wc" "$wf" || noisy "$ec" "$ef"; } && [ "$redone" -lt "$runs" ]; then
      redone=$((redone + 1))
      echo "$line   noisy (others took ${wf}s / ${ef}s CPU), measured again" >&2
      continue
    fi
    echo "$line" >&2
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$warehouse" "$task" "$round" "$ws" "$es" "$wk" "$wc" "$ec" >>"$results"
    done_rounds=$((done_rounds + 1))
  done
}

for warehouse in ${warehouses//,/ }; do
  if [ "$warehouse" = postgres ] && [ "$postgres_started" = no ]; then
    start_bench_server
    postgres_started=yes
    pg -d postgres -c "CREATE DATABASE models_bench" >/dev/null
  fi
  setup "$warehouse"
  tasks="startup mart incremental"
  [ "$warehouse" = postgres ] || tasks="$tasks parquet csv.gz"
  for task in $tasks; do run_task "$warehouse" "$task"; done
done

# ---- report ----
med() { awk -F'\t' -v w="$1" -v t="$2" -v c="$3" '$1 == w && $2 == t { print $c }' "$results" | median; }
report="$out/report.md"
{
  echo "rows $rows, $runs rounds, $(nproc) cores, wharf $wharf_commit, DuckDB $("$bench_tool" version), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Start-up: wharf building a one-row view, and the engine's client running SELECT 1 (Wharf.Bench sql; psql)."
  echo "Net: the time minus that side's start-up. Targets: models net wharf / net engine <= $max_model_ratio;"
  echo "exports wharf / COPY (whole processes) <= $max_export_ratio."
  echo
  echo "| warehouse | task | wharf s | engine s | net wharf s | net engine s | net ratio | whole ratio | target | verdict |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|"
  for warehouse in ${warehouses//,/ }; do
    wstart=$(med "$warehouse" startup 4); estart=$(med "$warehouse" startup 5)
    echo "| $warehouse | start-up | $wstart | $estart | | | | | | |"
    tasks="mart incremental"
    [ "$warehouse" = postgres ] || tasks="$tasks parquet csv.gz"
    for task in $tasks; do
      ws=$(med "$warehouse" "$task" 4); es=$(med "$warehouse" "$task" 5)
      read -r wnet enet net_ratio whole_ratio < <(awk -v w="$ws" -v e="$es" -v a="$wstart" -v b="$estart" \
        'BEGIN { printf "%.2f %.2f %.3f %.3f\n", w - a, e - b, (w - a) / (e - b), w / e }')
      case "$task" in
        mart|incremental) target=$max_model_ratio; measured=$net_ratio; label="net" ;;
        *) target=$max_export_ratio; measured=$whole_ratio; label="whole" ;;
      esac
      echo "| $warehouse | $task | $ws | $es | $wnet | $enet | $net_ratio | $whole_ratio | $label ≤ $target | $(verdict "$measured" "$target" '<=') |"
    done
  done
} >"$report"
cat "$report"
