#!/usr/bin/env bash
# MariaDB → DuckDB and → PostgreSQL: wharf against the database's own export piped into the
# warehouse's own loader, on throwaway servers (scripts/mariadb.sh, scripts/postgres.sh).
#   bench/mysql.sh [--rows N] [--runs K]
# (1) → DuckDB: wharf (mysql source → lake → DuckDB) vs `mariadb --batch -e "SELECT ..."` into a
#     TSV file, then DuckDB alone (Wharf.Bench duckdb-alone: read_csv into a table, COPY to Parquet:
#     the same table and lake copy wharf ends with).
# (2) → PostgreSQL: wharf (lake → binary COPY) vs `mariadb --batch -N -e "SELECT ..." | psql -c
#     "\copy ... FROM STDIN"` (the text format both speak).
# Target: wharf / export-and-load <= 1.25 in both (the median of K runs). Defaults: N 5000000, K 1.
# Exit code: 0 when every run succeeded (even if a target is missed), 1 on an error, 2 on bad usage.
set -euo pipefail

rows=5000000
runs=1
max_ratio=1.25

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
positive() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] || { echo "mysql.sh: $1 must be a positive integer, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [ $# -ge 2 ] || usage; positive --rows "$2"; rows=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; positive --runs "$2"; runs=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "mysql.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
out="$bench/out/mysql"
bench_tool="$bench/out/build/bin/Wharf.Bench/release/Wharf.Bench"
source "$root/scripts/postgres.sh"
source "$root/scripts/mariadb.sh"

fail() { echo "mysql.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }
[ -x /usr/bin/time ] || fail "/usr/bin/time (GNU time) is needed; apt-get install time"

mkdir -p "$out"
work=$(mktemp -d)
cleanup() {
  wharf_pg_stop >/dev/null 2>&1 || true
  wharf_mariadb_stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building wharf and the bench tool (Release)"
dotnet build "$root/src/Wharf.Cli/Wharf.Cli.csproj" -c Release -o "$out/wharf-cli" -nologo -v quiet >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "building wharf failed"; }
dotnet build "$bench/Wharf.Bench/Wharf.Bench.csproj" -c Release --artifacts-path "$bench/out/build" -nologo -v quiet >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "building bench/Wharf.Bench failed"; }

say "starting MariaDB and PostgreSQL"
wharf_mariadb_start || fail "MariaDB did not start"
wharf_pg_start || fail "PostgreSQL did not start"
my_port=${WHARF_TEST_MYSQL_URL##*:}; my_port=${my_port%%/*}
client=$(_wharf_my_client)
my() { "$client" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$my_port" -u wharf -pwharf "$@"; }
pg_url=$WHARF_TEST_POSTGRES_URL
pg() { "$WHARF_TEST_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$pg_url" "$@"; }

say "generating $rows orders in MariaDB (untimed)"
my -e "CREATE DATABASE bench CHARACTER SET utf8mb4" 2>/dev/null
my bench <<SQL
CREATE TABLE orders (
  id BIGINT NOT NULL PRIMARY KEY, customer_id BIGINT NOT NULL, customer_name VARCHAR(40) NOT NULL,
  created_at DATETIME(6) NOT NULL, status VARCHAR(12) NOT NULL, amount DECIMAL(12,2) NOT NULL,
  quantity INT NOT NULL, country CHAR(2) NOT NULL, note VARCHAR(100) NOT NULL, updated_at DATETIME(6) NOT NULL
) ENGINE = InnoDB;
INSERT INTO orders
SELECT seq, seq % 100000, CONCAT('customer ', seq % 100000), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq SECOND,
       ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled'), (seq % 100000) / 100, 1 + seq % 9,
       ELT(1 + seq % 5, 'DE', 'FR', 'US', 'JP', 'BR'), CONCAT('note ', seq), TIMESTAMP '2024-06-01 00:00:00' + INTERVAL seq SECOND
FROM seq_1_to_$rows;
ANALYZE TABLE orders;
SQL
select_sql="SELECT id, customer_id, customer_name, created_at, status, amount, quantity, country, note, updated_at FROM orders"
pg -c "CREATE TABLE baseline (id bigint, customer_id bigint, customer_name text, created_at timestamp, status text, amount numeric(12,2), quantity integer, country text, note text, updated_at timestamp)"

# Runs the shell function call "$@" under GNU time (in a bash of its own); prints the wall seconds.
timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/$name.time" bash -c "$*" >"$work/$name.log" 2>&1 || { tail -n 30 "$work/$name.log" >&2; fail "$name failed"; }
  cut -d' ' -f1 "$work/$name.time"
}

run_wharf() {
  local warehouse=$1
  rm -rf "$work/lake" "$work/warehouse.duckdb"
  BENCH_MY_WAREHOUSE=$warehouse BENCH_MY_LAKE="$work/lake" BENCH_MY_SOURCE="${WHARF_TEST_MYSQL_URL%/*}/bench" \
    dotnet "$out/wharf-cli/wharf.dll" run --project "$bench/mysql-project"
}

export_duckdb() {
  my --batch -e "$select_sql" bench >"$work/orders.tsv"
  "$bench_tool" duckdb-alone --csv "$work/orders.tsv" --db "$work/alone.duckdb" --parquet "$work/alone.parquet"
}

export_postgres() {
  pg -c "TRUNCATE baseline"
  my --batch -N -e "$select_sql" bench | pg -c "\\copy baseline FROM STDIN"
}

export client my_port pg_url work out bench bench_tool select_sql WHARF_TEST_MYSQL_URL WHARF_TEST_PG_BIN
export -f my pg run_wharf export_duckdb export_postgres

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$work/duck-wharf"; : >"$work/duck-base"; : >"$work/pg-wharf"; : >"$work/pg-base"
for run in $(seq 1 "$runs"); do
  say "run $run of $runs"
  timed wharf-duckdb run_wharf "duckdb:$work/warehouse.duckdb" >>"$work/duck-wharf"
  timed export-duckdb export_duckdb >>"$work/duck-base"
  timed wharf-postgres run_wharf "$pg_url" >>"$work/pg-wharf"
  timed export-postgres export_postgres >>"$work/pg-base"
done

count=$(pg -A -t -c "SELECT count(*) FROM my.orders")
[ "$count" = "$rows" ] || fail "the PostgreSQL warehouse holds $count rows, expected $rows"
base_count=$(pg -A -t -c "SELECT count(*) FROM baseline")
[ "$base_count" = "$rows" ] || fail "the baseline table holds $base_count rows, expected $rows"

report="$out/report.md"
{
  echo "# MariaDB → DuckDB and → PostgreSQL, $rows rows, median of $runs"
  echo
  echo "| scenario | wharf s | export + load s | ratio | target |"
  echo "|---|---:|---:|---:|---:|"
  for side in duck pg; do
    w=$(median <"$work/$side-wharf"); b=$(median <"$work/$side-base")
    ratio=$(awk -v w="$w" -v b="$b" 'BEGIN { printf "%.3f", w / b }')
    ok=$(awk -v r="$ratio" -v m="$max_ratio" 'BEGIN { print (r <= m) ? "met" : "missed" }')
    echo "| $([ $side = duck ] && echo "→ DuckDB (TSV + read_csv)" || echo "→ PostgreSQL (pipe into \\copy)") | $w | $b | $ratio | ≤ $max_ratio $ok |"
  done
} >"$report"
cat "$report"
