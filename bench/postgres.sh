#!/usr/bin/env bash
# Wharf into a PostgreSQL warehouse, side by side with psql and pgloader, on a throwaway server.
#   bench/postgres.sh [--rows N] [--runs K] [--small-rows M] [--warmup W] [--pgloader-runs P]
#                     [--launcher] [--timeout SECONDS] [--quiet-wait SECONDS]
# (1) the orders CSV → PostgreSQL: wharf (files → lake → binary COPY) vs psql \copy ... CSV HEADER
#     vs pgloader, into identical tables; targets: wharf/psql <= 1.25, pgloader/wharf >= 5.
# (2) a PostgreSQL table of the same rows → PostgreSQL warehouse: wharf vs
#     psql \copy (select * ...) TO STDOUT | psql \copy ... FROM STDIN (text format).
# (3) wharf's peak RSS at M (default N/5) and N rows, both scenarios: must not grow with the table
#     (largest peak at N <= 1.25 x largest peak at M).
# Defaults: N 5000000, K 3, W 1 (untimed round of wharf and psql), P = K, timeout 1800, quiet-wait 60.
# wharf is the CLI built once from the committed HEAD (git archive, Release), so that edits to src/
# during the run change nothing; --launcher runs ./wharf instead (the work tree, rebuilt on change).
# Every side runs under /usr/bin/time -v once the machine is idle; the server's CPU is measured too.
# Exit code: 0 when every run succeeded (even if a target is missed), 1 on an error, 2 on bad usage.
set -euo pipefail

rows=5000000
runs=3
small_rows=
warmup=1
pgloader_runs=
timeout_seconds=1800
quiet_wait=60
max_ratio_psql=1.25
min_ratio_pgloader=5
max_peak_growth=1.25
max_retries=2
launcher=no

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
positive() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || { echo "postgres.sh: $1 must be an integer >= $3, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [ $# -ge 2 ] || usage; positive --rows "$2" 1; rows=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; positive --runs "$2" 1; runs=$2; shift 2 ;;
    --small-rows) [ $# -ge 2 ] || usage; positive --small-rows "$2" 1; small_rows=$2; shift 2 ;;
    --warmup) [ $# -ge 2 ] || usage; positive --warmup "$2" 0; warmup=$2; shift 2 ;;
    --pgloader-runs) [ $# -ge 2 ] || usage; positive --pgloader-runs "$2" 0; pgloader_runs=$2; shift 2 ;;
    --launcher) launcher=yes; shift ;;
    --timeout) [ $# -ge 2 ] || usage; positive --timeout "$2" 1; timeout_seconds=$2; shift 2 ;;
    --quiet-wait) [ $# -ge 2 ] || usage; positive --quiet-wait "$2" 0; quiet_wait=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "postgres.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ "$runs" -le 20 ] || { echo "postgres.sh: --runs is capped at 20" >&2; exit 2; }
[ "$warmup" -le 5 ] || { echo "postgres.sh: --warmup is capped at 5" >&2; exit 2; }
[ -n "$small_rows" ] || small_rows=$(( rows / 5 > 0 ? rows / 5 : 1 ))
[ -n "$pgloader_runs" ] || pgloader_runs=$runs
[ "$pgloader_runs" -le "$runs" ] || pgloader_runs=$runs

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
wharf="$root/wharf"
project="$bench/pg-project"
out="$bench/out/pg"
bench_tool="$bench/out/build/bin/Wharf.Bench/release/Wharf.Bench"
hz=$(getconf CLK_TCK)

# machine_busy, wait_for_quiet, time_report, noisy, median, verdict, pg_server_cpu, kernel_cpu, pg_wait_for_backends.
source "$bench/lib.sh"
# wharf_pg_start, wharf_pg_stop: the tests' throwaway server (fsync off, trust auth, 127.0.0.1).
source "$root/scripts/postgres.sh"

bench_setup postgres.sh launcher
have_pgloader=yes
pgloader_version="no pgloader"
if command -v pgloader >/dev/null; then
  pgloader_version=$(pgloader --version 2>/dev/null || true)
  pgloader_version=${pgloader_version%%$'\n'*}
else
  have_pgloader=no
  echo "postgres.sh: pgloader is not installed (apt-get install pgloader); its column is skipped" >&2
fi
[ "$have_pgloader" = yes ] || pgloader_runs=0

mkdir -p "$out"
work=$(mktemp -d)
cleanup() {
  wharf_pg_stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the bench tool (Release)"
dotnet build "$bench/Wharf.Bench/Wharf.Bench.csproj" -c Release --artifacts-path "$bench/out/build" -nologo -v quiet \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "building bench/Wharf.Bench failed"; }

# The data for N rows: bench/data/ when it holds N rows (what bench/run.sh generated), otherwise
# bench/data/rows-N/, generated once.
data_for() {
  local n=$1 dir
  if [ -s "$bench/data/orders.csv" ] && [ "$(cat "$bench/data/orders.rows" 2>/dev/null)" = "$n" ]; then
    echo "$bench/data"
    return
  fi
  dir="$bench/data/rows-$n"
  if [ ! -s "$dir/orders.csv" ] || [ "$(cat "$dir/orders.rows" 2>/dev/null)" != "$n" ]; then
    say "generating $n orders into $dir"
    mkdir -p "$dir"
    rm -f "$dir/orders.rows"
    "$bench_tool" generate --rows "$n" --out "$dir" >&2 || fail "generating the data failed"
    echo "$n" >"$dir/orders.rows"
  fi
  echo "$dir"
}
big_data=$(data_for "$rows")
small_data=$(data_for "$small_rows")
columns=$(head -n 1 "$big_data/orders.csv")
[ "$columns" = "$(head -n 1 "$small_data/orders.csv")" ] || fail "the two data sets have different headers"

choose_wharf
start_bench_server
pg -d postgres -c "CREATE DATABASE warehouse" -c "CREATE DATABASE source" -c "CREATE DATABASE source_small" >/dev/null
pg -d warehouse -c "CREATE SCHEMA files" -c "CREATE SCHEMA pg" >/dev/null

server_cpu() { pg_server_cpu "$postmaster"; }
wait_for_backends() { pg_wait_for_backends "$postmaster" wharf; }

# The source tables for scenario (2): the declared types of the generated data, a primary key,
# vacuumed and analyzed (so no side pays for hint bits).
load_source() {
  local db=$1 data=$2
  say "loading $(cat "$data/orders.rows") rows into $db.public.orders (once, untimed)"
  pg -d "$db" >/dev/null <<SQL
CREATE TABLE public.orders (
  id bigint NOT NULL, customer_id bigint NOT NULL, customer_name text, created_at timestamp NOT NULL,
  status text NOT NULL, amount numeric(12,2), quantity integer NOT NULL, country text NOT NULL,
  note text, updated_at timestamp NOT NULL);
\copy public.orders FROM '$data/orders.csv' CSV HEADER
ALTER TABLE public.orders ADD PRIMARY KEY (id);
VACUUM (FREEZE, ANALYZE) public.orders;
SQL
}
load_source source "$big_data"
load_source source_small "$small_data"

# Which data the next measurement uses: "big" (N rows) or "small" (M rows).
use_size() {
  if [ "$1" = big ]; then cur_rows=$rows; cur_data=$big_data; cur_source=source
  else cur_rows=$small_rows; cur_data=$small_data; cur_source=source_small; fi
  export BENCH_PG_WAREHOUSE BENCH_PG_LAKE BENCH_PG_DATA BENCH_PG_SOURCE
  BENCH_PG_WAREHOUSE=$(url warehouse)
  BENCH_PG_LAKE="$out/lake"
  BENCH_PG_DATA=$cur_data
  BENCH_PG_SOURCE=$(url "$cur_source")
}

target_of() {
  case "$1" in
    wharf_files) echo files.orders ;;
    psql_files) echo files.orders_psql ;;
    pgloader_files) echo files.orders_pgloader ;;
    wharf_pg) echo pg.orders ;;
    pipe_pg) echo pg.orders_pipe ;;
  esac
}

# The column definitions of a table wharf created, e.g. "id bigint, ..., _wharf_loaded_at timestamp with time zone".
ddl_of() {
  pg_value -d warehouse -c "SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum)
    FROM pg_attribute WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped"
}
files_ddl=
pg_ddl=

# Untimed: an empty target (the same columns and types as wharf's table, wharf's two metadata
# columns filled by defaults), no lake, and a checkpoint so every side starts from the same state.
prepare() {
  local side=$1 target ddl
  target=$(target_of "$side")
  case "$side" in
    wharf_*)
      rm -rf "$out/lake"
      pg -d warehouse -c "DROP TABLE IF EXISTS $target, ${target}__wharf_new" >/dev/null
      ;;
    *)
      if [ "$side" = pipe_pg ]; then ddl=$pg_ddl; else ddl=$files_ddl; fi
      [ -n "$ddl" ] || fail "internal: wharf must run before $side (its table's types are copied)"
      pg -d warehouse -c "DROP TABLE IF EXISTS $target" -c "CREATE TABLE $target ($ddl)" \
        -c "ALTER TABLE $target ALTER _wharf_run_id SET DEFAULT '$side', ALTER _wharf_loaded_at SET DEFAULT now()" >/dev/null
      ;;
  esac
  pg -d warehouse -c CHECKPOINT >/dev/null
  sync   # fsync is off: write back what earlier sides left in the page cache now, not during this side
}

pgloader_command() {
  cat >"$work/orders.load" <<EOF
LOAD CSV
  FROM '$cur_data/orders.csv' ($columns)
  INTO $(url warehouse)
    TARGET TABLE files.orders_pgloader ($columns)
  WITH skip header = 1,
       fields optionally enclosed by '"',
       fields escaped by double-quote,
       fields terminated by ',',
       workers = 2, concurrency = 1
;
EOF
}

# Prefixes every line with the time it arrived (for wharf's phases).
stamp() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# Runs one side; prints "wall_s peak_kib client_cpu_s server_cpu_s foreign_cpu_s extract_s load_s"
# (foreign: what other processes took from the machine meanwhile, the noise; extract/load: wharf's
# phases from the times its progress lines appeared, "-" for the other sides).
measure() {
  local side=$1 log="$work/$1.log" timing="$work/$1.time" busy_before busy_after server_before server_after kernel_before kernel_after report status=0
  local psql="$pg_bin/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $port -U wharf"
  if [[ $side == wharf_* ]] && [ "$launcher" = yes ]; then
    # The launcher rebuilds the CLI when src/ changed; let that happen before the clock starts.
    "$wharf" --help >"$log" 2>&1 || { cat "$log" >&2; fail "'$wharf --help' failed"; }
  fi
  [ "$side" != pgloader_files ] || pgloader_command
  wait_for_quiet
  busy_before=$(machine_busy)
  server_before=$(server_cpu)
  kernel_before=$(kernel_cpu)
  case "$side" in
    wharf_files | wharf_pg)
      local pipeline=orders_files
      [ "$side" = wharf_files ] || pipeline=orders_pg
      (cd "$root" && timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "${wharf_cmd[@]}" run --project "$project" "$pipeline") 2>&1 \
        | stamp >"$log" || status=$?
      ;;
    psql_files)
      timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" $psql -d warehouse \
        -c "\\copy files.orders_psql ($columns) FROM '$cur_data/orders.csv' CSV HEADER" >"$log" 2>&1 || status=$?
      ;;
    pgloader_files)
      rm -rf "$work/pgloader"
      timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" pgloader -q -D "$work/pgloader" "$work/orders.load" >"$log" 2>&1 || status=$?
      ;;
    pipe_pg)
      timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" bash -o pipefail -c \
        "$psql -d $cur_source -c '\\copy (SELECT * FROM public.orders) TO STDOUT' | $psql -d warehouse -c '\\copy pg.orders_pipe ($columns) FROM STDIN'" \
        >"$log" 2>&1 || status=$?
      ;;
  esac
  [ "$status" = 0 ] || { tail -n 40 "$log" >&2; fail "$side failed or timed out (exit $status; log above)"; }
  wait_for_backends
  busy_after=$(machine_busy)
  server_after=$(server_cpu)
  kernel_after=$(kernel_cpu)
  # A rebuild inside the timed run (src/ changed in the meantime) is noise too: count it as foreign CPU.
  if [[ $side == wharf_* ]] && grep -q '^[0-9.]* wharf: building' "$log"; then busy_after=$(awk -v b="$busy_after" 'BEGIN { print b + 1000 }'); fi
  report=$(time_report "$timing") || fail "could not read $timing"
  local phases="- -"
  if [[ $side == wharf_* ]]; then
    phases=$(awk '/: reading / && !r { r = $1 } /: loading$/ && !l { l = $1 } / rows into / && !d { d = $1 }
      END { if (r && l && d) printf "%.2f %.2f\n", l - r, d - l; else print "- -" }' "$log")
  fi
  awk -v r="$report" -v busy="$busy_before $busy_after" -v server="$server_before $server_after" -v kernel="$kernel_before $kernel_after" \
    -v phases="$phases" 'BEGIN {
    split(r, m, " "); split(busy, b, " "); split(server, s, " "); split(kernel, k, " ")
    srv = s[2] - s[1]; foreign = b[2] - b[1] - m[3] - srv - (k[2] - k[1]); if (foreign < 0) foreign = 0
    printf "%s %s %s %.2f %.2f %s\n", m[1], m[2], m[3], srv, foreign, phases }'
}

# The target must hold every row, so a side that skipped work cannot look fast.
verify() {
  local target count
  target=$(target_of "$1")
  count=$(pg_value -d warehouse -c "SELECT count(*) FROM $target") || fail "could not count $target"
  [ "$count" = "$cur_rows" ] || fail "$1 left $count rows in $target, expected $cur_rows"
}

# prepare, measure and verify one side; measured again (at most max_retries times) when noisy.
# Sets $last to the measurement followed by "clean" or "noisy" (not a subshell: it records wharf's types).
measure_side() {
  local side=$1 m attempt
  for ((attempt = 0; ; attempt++)); do
    prepare "$side"
    m=$(measure "$side")
    verify "$side"
    if [ "$side" = wharf_files ] && [ -z "$files_ddl" ]; then files_ddl=$(ddl_of files.orders); fi
    if [ "$side" = wharf_pg ] && [ -z "$pg_ddl" ]; then pg_ddl=$(ddl_of pg.orders); fi
    read -r _ _ c s f _ <<<"$m"
    if noisy "$(awk -v a="$c" -v b="$s" 'BEGIN { print a + b }')" "$f"; then
      if [ "$attempt" -lt "$max_retries" ]; then
        echo "   $side: noisy (other processes took ${f} CPU s; over 1000 means wharf rebuilt itself), measured again" >&2
        continue
      fi
      last="$m noisy"
      return
    fi
    last="$m clean"
    return
  done
}

# The same content in every table of a scenario: row count, NULLs and empty strings, the sum of
# amounts and a hash of each row's text (wharf's metadata columns left out).
checksum() {
  pg_value -d warehouse -c "SELECT count(*), count(customer_name), count(note), count(*) FILTER (WHERE note = ''),
    count(amount), sum(amount)::numeric(20,2), sum(hashtext(ROW($columns)::text)::numeric) FROM $1"
}
content_notes=
compare_content() {
  local first=$1 reference other sum
  shift
  reference=$(checksum "$first")
  for other in "$@"; do
    sum=$(checksum "$other")
    if [ "$sum" = "$reference" ]; then
      echo "   $other holds the same content as $first ($reference)" >&2
    else
      echo "   WARNING: $other differs from $first: $sum against $reference" >&2
      content_notes+="WARNING: $other differs from $first ($sum against $reference). "
    fi
  done
}

results="$work/results.tsv"   # scenario round side wall rss cpu server foreign extract load quality
: >"$results"
record() { local scenario=$1 round=$2 side=$3; shift 3; printf '%s\t%s\t%s\t%s\n' "$scenario" "$round" "$side" "$(tr ' ' '\t' <<<"$*")" >>"$results"; }
show() { # a measurement, briefly
  awk -v side="$1" -v m="$2" 'BEGIN { split(m, v, " "); printf "   %-15s %7.2f s  %5.0f MiB  client CPU %6.2f s  server CPU %6.2f s%s%s\n",
    side, v[1], v[2] / 1024, v[3], v[4], (v[6] != "-" ? sprintf("  (extract %s s, load %s s)", v[6], v[7]) : ""), (v[8] == "noisy" ? "  NOISY" : "") }' >&2
}

use_size big
for ((i = 1; i <= warmup; i++)); do
  say "warm-up $i/$warmup (not counted): wharf and psql, both scenarios"
  for side in wharf_files psql_files wharf_pg pipe_pg; do measure_side "$side"; show "$side" "$last"; done
done

say "scenario 1: $rows rows of CSV → PostgreSQL, $runs rounds (pgloader in $pgloader_runs)"
for ((r = 1; r <= runs; r++)); do
  case $(( (r - 1) % 3 )) in
    0) order="wharf_files psql_files pgloader_files" ;;
    1) order="psql_files pgloader_files wharf_files" ;;
    2) order="pgloader_files wharf_files psql_files" ;;
  esac
  echo "   round $r: $order" >&2
  for side in $order; do
    [ "$side" != pgloader_files ] || [ "$r" -le "$pgloader_runs" ] || continue
    measure_side "$side"; show "$side" "$last"; record files "$r" "$side" "$last"
  done
  if [ "$r" = 1 ]; then
    tables="files.orders_psql"
    [ "$pgloader_runs" -lt 1 ] || tables+=" files.orders_pgloader"
    # shellcheck disable=SC2086
    compare_content files.orders $tables
  fi
done

say "scenario 2: $rows rows PostgreSQL → PostgreSQL, $runs rounds"
for ((r = 1; r <= runs; r++)); do
  if ((r % 2)); then order="wharf_pg pipe_pg"; else order="pipe_pg wharf_pg"; fi
  echo "   round $r: $order" >&2
  for side in $order; do measure_side "$side"; show "$side" "$last"; record pg "$r" "$side" "$last"; done
  [ "$r" != 1 ] || compare_content pg.orders pg.orders_pipe
done

say "scenario 3: wharf's peak memory at $small_rows rows ($runs runs each)"
use_size small
for ((r = 1; r <= runs; r++)); do
  for side in wharf_files wharf_pg; do measure_side "$side"; show "$side" "$last"; record small "$r" "$side" "$last"; done
done
cp "$results" "$out/results.tsv"

# ---- the report (Markdown, also saved to bench/out/pg/report.md) ----
col() { awk -F'\t' -v sc="$1" -v side="$2" -v c="$3" '$1 == sc && $3 == side { print $c }' "$results"; }
med() { col "$@" | median; }
maxof() { col "$@" | sort -g | tail -n 1; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# Per-round ratios a/b of wall seconds, for the rounds in which both ran.
ratios() {
  awk -F'\t' -v sc="$1" -v a="$2" -v b="$3" '$1 == sc && $3 == a { x[$2] = $4 } $1 == sc && $3 == b { y[$2] = $4 }
    END { for (r in x) if (r in y) printf "%.3f\n", x[r] / y[r] }' "$results"
}
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
noisy_count=$(awk -F'\t' '$11 == "noisy"' "$results" | wc -l)

report="$out/report.md"
{
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
    "PostgreSQL $(pg_value -d postgres -c 'SHOW server_version' | cut -d' ' -f1) (scripts/postgres.sh: fsync, full_page_writes and" \
    "synchronous_commit off; here also autovacuum off, max_wal_size 8GB, CHECKPOINT before each measurement)," \
    "$("$pg_bin/psql" --version), $pgloader_version," \
    ".NET SDK $(dotnet --version), DuckDB $("$bench_tool" version), wharf at commit $wharf_commit."
  echo "$rows rows ($small_rows for the memory comparison), $runs rounds after $warmup warm-up round(s);" \
    "$noisy_count measurement(s) still noisy after $max_retries retries."
  echo
  echo "### (1) CSV → PostgreSQL"
  echo
  echo "| round | wharf s | psql \\copy s | pgloader s | wharf / psql | pgloader / wharf | wharf extract s | wharf load s | wharf peak MiB | wharf CPU s | server CPU s (wharf / psql / pgloader) | pgloader CPU s |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
  for ((r = 1; r <= runs; r++)); do
    awk -F'\t' -v r="$r" '$1 == "files" && $2 == r { w[$3] = $4; rss[$3] = $5; cpu[$3] = $6; srv[$3] = $7; ex[$3] = $9; ld[$3] = $10; q[$3] = $11 }
      END {
        pl = ("pgloader_files" in w) ? w["pgloader_files"] : "";
        flag = (q["wharf_files"] == "noisy" || q["psql_files"] == "noisy" || q["pgloader_files"] == "noisy") ? " (noisy)" : "";
        printf "| %s%s | %s | %s | %s | %.3f | %s | %s | %s | %.0f | %s | %s / %s / %s | %s |\n", r, flag, w["wharf_files"], w["psql_files"],
          (pl == "" ? "—" : pl), w["wharf_files"] / w["psql_files"], (pl == "" ? "—" : sprintf("%.2f", pl / w["wharf_files"])),
          ex["wharf_files"], ld["wharf_files"], rss["wharf_files"] / 1024, cpu["wharf_files"],
          srv["wharf_files"], srv["psql_files"], (pl == "" ? "—" : srv["pgloader_files"]), (pl == "" ? "—" : cpu["pgloader_files"]) }' "$results"
  done
  wf=$(med files wharf_files 4); ps=$(med files psql_files 4)
  echo "| **median** | **$wf** | **$ps** | **$( [ "$pgloader_runs" -gt 0 ] && med files pgloader_files 4 || echo —)** |" \
    "**$(ratios files wharf_files psql_files | median)** | **$( [ "$pgloader_runs" -gt 0 ] && ratios files pgloader_files wharf_files | median || echo —)** |" \
    "$(med files wharf_files 9) | $(med files wharf_files 10) | $(mib "$(med files wharf_files 5)") | $(med files wharf_files 6) |" \
    "$(med files wharf_files 7) / $(med files psql_files 7) / $( [ "$pgloader_runs" -gt 0 ] && med files pgloader_files 7 || echo —) |" \
    "$( [ "$pgloader_runs" -gt 0 ] && med files pgloader_files 6 || echo —) |"
  echo
  echo "### (2) PostgreSQL → PostgreSQL"
  echo
  echo "| round | wharf s | psql \\| psql s | wharf / psql | wharf extract s | wharf load s | wharf peak MiB | wharf CPU s | psql CPU s | server CPU s (wharf / psql) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for ((r = 1; r <= runs; r++)); do
    awk -F'\t' -v r="$r" '$1 == "pg" && $2 == r { w[$3] = $4; rss[$3] = $5; cpu[$3] = $6; srv[$3] = $7; ex[$3] = $9; ld[$3] = $10; q[$3] = $11 }
      END {
        flag = (q["wharf_pg"] == "noisy" || q["pipe_pg"] == "noisy") ? " (noisy)" : "";
        printf "| %s%s | %s | %s | %.3f | %s | %s | %.0f | %s | %s | %s / %s |\n", r, flag, w["wharf_pg"], w["pipe_pg"], w["wharf_pg"] / w["pipe_pg"],
          ex["wharf_pg"], ld["wharf_pg"], rss["wharf_pg"] / 1024, cpu["wharf_pg"], cpu["pipe_pg"], srv["wharf_pg"], srv["pipe_pg"] }' "$results"
  done
  echo "| **median** | **$(med pg wharf_pg 4)** | **$(med pg pipe_pg 4)** | **$(ratios pg wharf_pg pipe_pg | median)** |" \
    "$(med pg wharf_pg 9) | $(med pg wharf_pg 10) | $(mib "$(med pg wharf_pg 5)") | $(med pg wharf_pg 6) | $(med pg pipe_pg 6) |" \
    "$(med pg wharf_pg 7) / $(med pg pipe_pg 7) |"
  echo
  echo "### (3) wharf's peak RSS (MiB; largest of the runs, median in brackets)"
  echo
  echo "| scenario | $small_rows rows | $rows rows | growth |"
  echo "|---|---:|---:|---:|"
  for pair in "files→PG:files:wharf_files" "PG→PG:pg:wharf_pg"; do
    IFS=: read -r label sc side <<<"$pair"
    small_max=$(maxof small "$side" 5); big_max=$(maxof "$sc" "$side" 5)
    echo "| $label | $(mib "$small_max") ($(mib "$(med small "$side" 5)")) | $(mib "$big_max") ($(mib "$(med "$sc" "$side" 5)")) | $(ratio_of "$big_max" "$small_max") |"
  done
  echo
  echo "### Verdict"
  echo
  echo "| target | measured | verdict |"
  echo "|---|---:|---|"
  rp=$(ratios files wharf_files psql_files | median)
  echo "| (1) wharf / psql \\copy ≤ $max_ratio_psql (median of per-round ratios) | $rp (ratio of medians $(ratio_of "$wf" "$ps")) | $(verdict "$rp" "$max_ratio_psql" '<=') |"
  if [ "$pgloader_runs" -gt 0 ]; then
    rl=$(ratios files pgloader_files wharf_files | median)
    echo "| (1) pgloader / wharf ≥ $min_ratio_pgloader | $rl (pgloader / psql $(ratio_of "$(med files pgloader_files 4)" "$ps")) | $(verdict "$rl" "$min_ratio_pgloader" '>=') |"
  else
    echo "| (1) pgloader / wharf ≥ $min_ratio_pgloader | pgloader not run | — |"
  fi
  r2=$(ratios pg wharf_pg pipe_pg | median)
  echo "| (2) wharf / psql pipe (no target in the issue; ≤ $max_ratio_psql for reference) | $r2 | $(verdict "$r2" "$max_ratio_psql" '<=') |"
  for pair in "files→PG:files:wharf_files" "PG→PG:pg:wharf_pg"; do
    IFS=: read -r label sc side <<<"$pair"
    g=$(ratio_of "$(maxof "$sc" "$side" 5)" "$(maxof small "$side" 5)")
    echo "| (3) $label peak at $rows / at $small_rows rows ≤ $max_peak_growth | $g | $(verdict "$g" "$max_peak_growth" '<=') |"
  done
  [ -z "$content_notes" ] || { echo; echo "$content_notes"; }
  echo
  echo "Wharf's table (psql's and pgloader's were created with the same columns and types):"
  echo
  echo '```'
  pg -d warehouse -c '\d files.orders' -c '\d pg.orders' 2>&1 | sed 's/[[:space:]]*$//'
  echo '```'
} >"$report"
echo
cat "$report"
echo
echo "(saved to $report; the measurements to $out/results.tsv)"
