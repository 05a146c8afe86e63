#!/usr/bin/env bash
# Incremental loads (cursor + merge + delete detection) from PostgreSQL, against a full load.
#   bench/incremental.sh [--rows N] [--small-rows M] [--runs K] [--changes C] [--big-changes B]
#                        [--warehouses LIST] [--retries R] [--launcher] [--timeout SECONDS] [--quiet-wait SECONDS]
# A source table public.events (integer primary key, text, numeric, timestamptz, a checksum column,
# updated_at with an index) of N and of M rows, on a throwaway PostgreSQL server. For each size and
# warehouse (DuckDB file, PostgreSQL database on the same server), K rounds of:
#   replace     empty warehouse of its own, wharf run (mode: replace): the reload a user would run instead
#   full        empty warehouse, wharf run (mode: merge, cursor: updated_at, detect_deletes: true): the first load
#   inc         C changes in the source (60% updates bumping updated_at, 30% inserts, 10% deletes) on
#               random rows, wharf run
#   inc_spread  the same, the updated and deleted rows evenly spaced over the whole key range
#   inc_cluster the same, the updated and deleted rows in one run of consecutive keys
#   inc_big     B changes on random rows, wharf run
#   nodel       C changes without the deletes, wharf run of the same pipeline with detect_deletes: false
# Every run is timed under /usr/bin/time -v (wall, CPU, peak RSS) once the machine is idle; its phases
# come from the times wharf's progress lines appeared. After every run, the warehouse's row count and
# sums (id, checksum, amount, length(note)) must equal the source's, and _wharf.runs must count exactly
# the inserts, updates and deletes made: otherwise the script stops with an error.
# Targets (issue 17): each incremental run of C changes <= 10% of a replace reload at N rows (<= 5% from
# 20M rows); the first load <= 1.1 x a replace load; the incremental run's peak RSS at N rows
# <= 1.25 x its peak at M rows (flat).
# Defaults: N 5000000, M 1000000, K 3, C 1000, B 10000, LIST duckdb,postgres, R 1 (a noisy
# measurement is measured again at most R times), timeout 1800, quiet-wait 60.
# wharf is the CLI built once from the committed HEAD (git archive, Release), so that edits to src/
# during the run change nothing; --launcher runs ./wharf instead (the work tree, rebuilt on change).
# Exit code: 0 when every run succeeded and was correct (even if a target is missed), 1 on an error
# or a wrong result, 2 on bad usage.
set -euo pipefail

rows=5000000
small_rows=1000000
runs=3
changes=1000
big_changes=10000
warehouses=duckdb,postgres
max_retries=1
launcher=no
timeout_seconds=1800
quiet_wait=60
max_ratio=0.10
max_first=1.10
max_peak_growth=1.25

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
positive() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || { echo "incremental.sh: $1 must be an integer >= $3, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [ $# -ge 2 ] || usage; positive --rows "$2" 10000; rows=$2; shift 2 ;;
    --small-rows) [ $# -ge 2 ] || usage; positive --small-rows "$2" 10000; small_rows=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; positive --runs "$2" 1; runs=$2; shift 2 ;;
    --changes) [ $# -ge 2 ] || usage; positive --changes "$2" 10; changes=$2; shift 2 ;;
    --big-changes) [ $# -ge 2 ] || usage; positive --big-changes "$2" 10; big_changes=$2; shift 2 ;;
    --warehouses) [ $# -ge 2 ] || usage; warehouses=$2; shift 2 ;;
    --retries) [ $# -ge 2 ] || usage; positive --retries "$2" 0; max_retries=$2; shift 2 ;;
    --launcher) launcher=yes; shift ;;
    --timeout) [ $# -ge 2 ] || usage; positive --timeout "$2" 1; timeout_seconds=$2; shift 2 ;;
    --quiet-wait) [ $# -ge 2 ] || usage; positive --quiet-wait "$2" 0; quiet_wait=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "incremental.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ "$runs" -le 20 ] || { echo "incremental.sh: --runs is capped at 20" >&2; exit 2; }
for w in ${warehouses//,/ }; do
  case "$w" in duckdb|postgres) ;; *) echo "incremental.sh: --warehouses takes duckdb and/or postgres, got '$w'" >&2; exit 2 ;; esac
done
# The changes touch distinct existing rows: they must fit comfortably in the smaller table.
[ $((big_changes * 4)) -le "$small_rows" ] && [ $((changes * 4)) -le "$small_rows" ] \
  || { echo "incremental.sh: --changes and --big-changes must be at most a quarter of --small-rows" >&2; exit 2; }

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
wharf="$root/wharf"
out="$bench/out/incremental"

# machine_busy, wait_for_quiet, time_report, noisy, median, verdict, pg_server_cpu, kernel_cpu, pg_wait_for_backends.
source "$bench/lib.sh"
# wharf_pg_start, wharf_pg_stop: the tests' throwaway server (fsync off, trust auth, 127.0.0.1).
source "$root/scripts/postgres.sh"

bench_setup incremental.sh launcher

mkdir -p "$out"
work=$(mktemp -d)
cleanup() {
  wharf_pg_stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- wharf: the committed HEAD, built once per commit (or the launcher) ----
choose_wharf

# ---- the server and the sources ----
start_bench_server

# public.events: an integer primary key, text, numeric, timestamptz, a checksum, and updated_at
# (indexed), all computed from the row number. Vacuumed and analyzed once, untimed.
create_source() {
  local db=$1 n=$2 started=$SECONDS step
  # Rows 25 s apart, closer for more than 5M rows: every updated_at stays in the past, below the
  # changes' clock_timestamp(), or a cursor run would never see the changes.
  step="(interval '25 seconds' * least(1, 5000000.0 / $n))"
  say "creating $db.public.events with $n rows (untimed)"
  pg -d postgres -c "CREATE DATABASE $db" >/dev/null
  pg -d "$db" >/dev/null <<SQL
CREATE TABLE public.events (
  id bigint PRIMARY KEY,
  customer text NOT NULL,
  status text NOT NULL,
  amount numeric(12,2),
  note text,
  created_at timestamptz NOT NULL,
  checksum bigint NOT NULL,
  updated_at timestamptz NOT NULL);
INSERT INTO public.events
SELECT i, 'customer ' || (i % 250000), (ARRAY['pending', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + i % 5],
  ((hashint8(i) & 100000) / 100.0)::numeric(12,2), CASE WHEN i % 5 = 0 THEN NULL ELSE md5(i::text) END,
  timestamptz '2021-01-01 00:00:00+00' + i * $step, hashint8(i) & 1048575,
  timestamptz '2021-01-01 00:00:00+00' + i * $step + (hashint8(i * 7) & 2591999) * interval '1 second'
FROM generate_series(1, $n) AS i;
CREATE INDEX events_updated_at ON public.events (updated_at);
VACUUM (FREEZE, ANALYZE) public.events;
SQL
  echo "   $((SECONDS - started)) s, $(pg_value -d "$db" -c "SELECT pg_size_pretty(pg_total_relation_size('public.events'))")" >&2
}
create_source src_big "$rows"
create_source src_small "$small_rows"

# Changes to the source, in one transaction: $1 updates (new amount, status, note, checksum and
# updated_at = now), $2 inserts (new ids past the largest), $3 deletes, on distinct existing rows
# picked by pattern $5: random, spread (evenly spaced over the key range: every key range of delete
# detection's summary differs) or cluster (consecutive keys from a random start). Which of the picked
# rows are deleted is random.
change_source() {
  local db=$1 updates=$2 inserts=$3 deletes=$4 pattern=${5:-random} pick
  case "$pattern" in
    random) pick="SELECT DISTINCT (1 + floor(random() * (SELECT max(id) FROM public.events)))::bigint AS id
      FROM generate_series(1, 2 * (:updates + :deletes) + 100)" ;;
    spread) pick="SELECT DISTINCT e.id FROM generate_series(0, :updates + :deletes - 1) AS g,
      LATERAL (SELECT id FROM public.events WHERE id >= 1 + g * ((SELECT max(id) FROM public.events) / (:updates + :deletes))
               ORDER BY id LIMIT 1) AS e" ;;
    cluster) pick="SELECT id FROM public.events WHERE id >= (SELECT floor(random() * max(id) * 0.9)::bigint FROM public.events)
      ORDER BY id LIMIT :updates + :deletes" ;;
  esac
  pg -d "$db" -v updates="$updates" -v inserts="$inserts" -v deletes="$deletes" >/dev/null <<SQL
BEGIN;
CREATE TEMP TABLE picked ON COMMIT DROP AS
  SELECT c.id, row_number() OVER (ORDER BY random()) AS n FROM ($pick) AS c
  JOIN public.events AS e USING (id) LIMIT :updates + :deletes;
-- Fails (division by zero) when too few distinct existing rows were drawn.
SELECT 1 / (count(*) = :updates + :deletes)::int AS enough_rows_picked FROM picked \g /dev/null
UPDATE public.events AS e SET amount = (random() * 1000)::numeric(12,2), status = 'changed', note = 'changed ' || e.id,
    checksum = (random() * 1048575)::bigint, updated_at = clock_timestamp()
  FROM picked AS p WHERE p.id = e.id AND p.n <= :updates;
DELETE FROM public.events AS e USING picked AS p WHERE p.id = e.id AND p.n > :updates;
INSERT INTO public.events
SELECT m + i, 'customer new', 'pending', (random() * 1000)::numeric(12,2), 'inserted ' || (m + i), now(),
    (random() * 1048575)::bigint, clock_timestamp()
  FROM (SELECT max(id) AS m FROM public.events) AS x, generate_series(1, :inserts) AS i;
COMMIT;
SQL
}

# ---- the projects ----
# One folder per size and warehouse: wharf.yml (detect_deletes: true) and nodel/wharf.yml (the same
# pipeline, warehouse and lake, detect_deletes: false); replace/wharf.yml loads the same table with
# mode: replace into a warehouse and lake of its own.
project_dir() { echo "$out/projects/$1-$2"; }
# The project file: warehouse $1, lake $2, source database $3, then the pipeline's own settings.
project_yml() {
  local warehouse=$1 lake=$2 src=$3 setting
  printf '# Written by bench/incremental.sh.\nwarehouse: %s\nlake: %s\nconnections:\n  src: { type: postgres, url: "%s" }\n' "$warehouse" "$lake" "$(url "$src")"
  printf 'pipelines:\n  sync:\n    source: src\n    tables: [public.events]\n'
  shift 3
  for setting in "$@"; do printf '    %s\n' "$setting"; done
}
write_projects() {
  local size=$1 wh=$2 dir src warehouse
  dir=$(project_dir "$size" "$wh")
  src=src_$size
  if [ "$wh" = duckdb ]; then warehouse="duckdb:$dir/warehouse.duckdb"; else warehouse=$(url "wh_$size"); fi
  mkdir -p "$dir/nodel" "$dir/replace"
  project_yml "$(if [ "$wh" = duckdb ]; then echo "duckdb:$dir/replace/warehouse.duckdb"; else url "wh_${size}_replace"; fi)" \
    "$dir/replace/lake" "$src" "mode: replace" >"$dir/replace/wharf.yml"
  project_yml "$warehouse" "$dir/lake" "$src" "mode: merge" "cursor: updated_at" "detect_deletes: true" >"$dir/wharf.yml"
  project_yml "$warehouse" "$dir/lake" "$src" "mode: merge" "cursor: updated_at" "detect_deletes: false" >"$dir/nodel/wharf.yml"
}

# An empty warehouse and lake (untimed); $3 = replace: the replace project's.
reset_warehouse() {
  local size=$1 wh=$2 dir db=wh_$1
  dir=$(project_dir "$size" "$wh")
  if [ "${3:-}" = replace ]; then dir=$dir/replace; db=wh_${size}_replace; fi
  rm -rf "$dir/lake" "$dir/warehouse.duckdb" "$dir/warehouse.duckdb.wal"
  if [ "$wh" = postgres ]; then
    pg -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  fi
}

# ---- measuring ----
server_cpu() { pg_server_cpu "$postmaster"; }
# Prefixes every line with the time it arrived (for wharf's phases).
stamp() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# Runs wharf on project $1 (log to $2); prints "wall_s peak_kib client_cpu_s server_cpu_s foreign_cpu_s
# startup_s extract_s keys_s load_s" (foreign: CPU other processes took meanwhile, the noise). Phases,
# from the progress lines: startup (process start → "reading public.events"), extract (→ the last
# "rows committed": the changed rows read in cursor order, written to the lake and merged, chunk by
# chunk), keys (→ "loading": the wait for every key of the source in the lake, or for its summary, which
# starts beside the changed rows), load (→ "rows into": the keys compared with the table, the delete, the
# audit, the commit).
measure() {
  local project=$1 log=$2 timing="$work/run.time" busy_before busy_after server_before server_after kernel_before kernel_after report status=0 t0
  if [ "$launcher" = yes ]; then
    "$wharf" --help >"$log" 2>&1 || { cat "$log" >&2; fail "'$wharf --help' failed"; }
  fi
  pg -d postgres -c CHECKPOINT >/dev/null
  sync   # fsync is off: write back what the last steps left in the page cache now, not during the run
  wait_for_quiet
  busy_before=$(machine_busy); server_before=$(server_cpu); kernel_before=$(kernel_cpu)
  t0=$EPOCHREALTIME
  (cd "$root" && timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "${wharf_cmd[@]}" run --project "$project") 2>&1 \
    | stamp >"$log" || status=$?
  local t1=$EPOCHREALTIME
  [ "$status" = 0 ] || { tail -n 40 "$log" >&2; fail "wharf run --project $project failed or timed out (exit $status; log above)"; }
  pg_wait_for_backends "$postmaster" wharf
  busy_after=$(machine_busy); server_after=$(server_cpu); kernel_after=$(kernel_cpu)
  if [ "$launcher" = yes ] && grep -q '^[0-9.]* wharf: building' "$log"; then busy_after=$(awk -v b="$busy_after" 'BEGIN { print b + 1000 }'); fi
  report=$(time_report "$timing") || fail "could not read $timing"
  local phases
  phases=$(awk -v t0="$t0" -v t1="$t1" '
    / reading public\.events/ && !r { r = $1 } / rows committed$/ { c = $1 } /: reading keys$/ && !k { k = $1 }
    /: loading$/ && !l { l = $1 } / rows into / && !d { d = $1 }
    END {
      if (!r || !l || !d) { print "- - - -"; exit }
      if (!c) c = r
      printf "%.2f %.2f %s %.2f\n", r - t0, c - r, (k ? sprintf("%.2f", l - k) : "-"), d - l }' "$log")
  awk -v r="$report" -v busy="$busy_before $busy_after" -v server="$server_before $server_after" -v kernel="$kernel_before $kernel_after" \
    -v phases="$phases" 'BEGIN {
    split(r, m, " "); split(busy, b, " "); split(server, s, " "); split(kernel, k, " ")
    srv = s[2] - s[1]; foreign = b[2] - b[1] - m[3] - srv - (k[2] - k[1]); if (foreign < 0) foreign = 0
    printf "%s %s %s %.2f %.2f %s\n", m[1], m[2], m[3], srv, foreign, phases }'
}

# The same content on both sides: count, and the sums of id, checksum, amount and length(note).
checksum_sql="SELECT CAST(count(*) AS VARCHAR) || ' ' || CAST(sum(id) AS VARCHAR) || ' ' || CAST(sum(checksum) AS VARCHAR)
  || ' ' || CAST(sum(amount) AS VARCHAR) || ' ' || CAST(sum(length(note)) AS VARCHAR) AS checksum"

# Checks the warehouse against the source, and the last run's counts against the changes made
# ($3 inserts, $4 updates, $5 deletes; "-" for the full load, whose inserts must be the row count).
# Prints "extracted inserted updated deleted unchanged duration_ms".
verify() {
  local size=$1 project=$2 want_ins=$3 want_upd=$4 want_del=$5 source warehouse line status extracted inserted updated deleted unchanged duration
  source=$(pg_value -d "src_$size" -c "$checksum_sql FROM public.events") || fail "could not read the source's checksum"
  line=$(cd "$root" && "${wharf_cmd[@]}" query --project "$project" --format csv \
    "SELECT c.checksum, r.status, r.rows_extracted, r.rows_inserted, r.rows_updated, r.rows_deleted, r.rows_unchanged, r.duration_ms
     FROM ($checksum_sql FROM main.events) AS c,
          (SELECT * FROM _wharf.runs WHERE pipeline = 'sync' ORDER BY started_at DESC LIMIT 1) AS r" | tail -n 1) \
    || fail "could not query the warehouse of $project"
  IFS=, read -r warehouse status extracted inserted updated deleted unchanged duration <<<"$line"
  [ "$warehouse" = "$source" ] || fail "WRONG RESULT in $project: the warehouse has (count, sum id, sum checksum, sum amount, sum length(note)) = ($warehouse), the source ($source)"
  [ "$status" = succeeded ] || fail "the last run of $project is recorded as '$status'"
  if [ "$want_ins" = - ]; then want_ins=${source%% *}; want_upd=0; want_del=0; fi
  [ "$inserted $updated $deleted" = "$want_ins $want_upd $want_del" ] \
    || fail "WRONG COUNTS in $project: _wharf.runs says $inserted inserted, $updated updated, $deleted deleted; the source got $want_ins, $want_upd, $want_del"
  echo "$extracted $inserted $updated $deleted $unchanged $duration"
}

results="$work/results.tsv"
: >"$results"
record() { printf '%s\n' "$(tr ' ' '\t' <<<"$*")" >>"$results"; }
show() {
  awk -v label="$1" -v m="$2" -v c="$3" 'BEGIN { split(m, v, " "); split(c, n, " ")
    printf "   %-22s %7.2f s  %5.0f MiB  CPU %6.2f s  server %6.2f s  phases %s/%s/%s/%s s  +%s ~%s -%s =%s%s\n",
      label, v[1], v[2] / 1024, v[3], v[4], v[6], v[7], v[8], v[9], n[2], n[3], n[4], n[5], (v[5] > 0.5 + 0.1 * (v[3] + v[4]) ? "  NOISY" : "") }' >&2
}

# One measurement of kind $3 (replace, full, inc, inc_spread, inc_cluster, inc_big, nodel) in round $4: prepares it (untimed), runs,
# verifies, and measures again (at most max_retries times) when other processes took CPU meanwhile.
measure_kind() {
  local size=$1 wh=$2 kind=$3 round=$4 n dir project m c attempt quality ins upd del
  if [ "$size" = big ]; then n=$rows; else n=$small_rows; fi
  dir=$(project_dir "$size" "$wh")
  for ((attempt = 0; ; attempt++)); do
    project=$dir
    case "$kind" in
      full) reset_warehouse "$size" "$wh"; ins=-; upd=-; del=- ;;
      replace) reset_warehouse "$size" "$wh" replace; ins=-; upd=-; del=-; project=$dir/replace ;;
      inc|inc_spread|inc_cluster) upd=$((changes * 6 / 10)); ins=$((changes * 3 / 10)); del=$((changes - upd - ins)) ;;
      inc_big) upd=$((big_changes * 6 / 10)); ins=$((big_changes * 3 / 10)); del=$((big_changes - upd - ins)) ;;
      nodel) upd=$((changes * 6 / 10)); ins=$((changes * 3 / 10)); del=0; project=$dir/nodel ;;
    esac
    case "$kind" in
      full|replace) ;;
      inc_spread) change_source "src_$size" "$upd" "$ins" "$del" spread ;;
      inc_cluster) change_source "src_$size" "$upd" "$ins" "$del" cluster ;;
      *) change_source "src_$size" "$upd" "$ins" "$del" random ;;
    esac
    m=$(measure "$project" "$out/logs/$size-$wh-$kind-$round.log")
    c=$(verify "$size" "$project" "$ins" "$upd" "$del")
    if [ "$kind" = full ] && [ "$wh" = postgres ]; then
      # What autovacuum would have done by the next scheduled run (it is off during measurements).
      pg -d "wh_$size" -c "VACUUM ANALYZE main.events" >/dev/null
    fi
    show "$size/$wh/$kind/$round" "$m" "$c"
    read -r _ _ cc sc f _ <<<"$m"
    quality=clean
    if noisy "$(awk -v a="$cc" -v b="$sc" 'BEGIN { print a + b }')" "$f"; then
      if [ "$attempt" -lt "$max_retries" ]; then
        echo "   noisy (other processes took ${f} CPU s; over 1000 means wharf rebuilt itself), measured again" >&2
        continue
      fi
      quality=noisy
    fi
    record "$size $n $wh $kind $round $m $quality $c"
    return
  done
}

mkdir -p "$out/logs" "$out/projects"
rm -f "$out"/logs/*.log
started=$SECONDS
for size in big small; do
  for wh in ${warehouses//,/ }; do
    write_projects "$size" "$wh"
    say "$([ "$size" = big ] && echo "$rows" || echo "$small_rows") rows, $wh warehouse: $runs rounds of a replace load, a first load, $changes changes (random, spread, clustered), $big_changes changes, $changes changes without detect_deletes"
    for ((r = 1; r <= runs; r++)); do
      for kind in replace full inc inc_spread inc_cluster inc_big nodel; do measure_kind "$size" "$wh" "$kind" "$r"; done
    done
  done
done
cp "$results" "$out/results.tsv"
elapsed=$((SECONDS - started))

# ---- the report (Markdown, also saved to bench/out/incremental/report.md) ----
# results.tsv: 1 size 2 rows 3 warehouse 4 kind 5 round 6 wall 7 peak_kib 8 cpu 9 server_cpu 10 foreign
#   11 startup 12 extract 13 keys 14 load 15 quality 16 extracted 17 inserted 18 updated 19 deleted 20 unchanged 21 duration_ms
col() { awk -F'\t' -v size="$1" -v wh="$2" -v kind="$3" -v c="$4" '$1 == size && $3 == wh && $4 == kind && $c != "-" { print $c }' "$results"; }
med() { col "$@" | median; }
maxof() { col "$@" | sort -g | tail -n 1; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
num() { awk -v v="$1" 'BEGIN { printf "%.2f", v }'; }
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
pct() { awk -v a="$1" 'BEGIN { printf "%.1f%%", a * 100 }'; }
# Per-round ratios of run $3 to the replace load (wall seconds).
ratios() {
  awk -F'\t' -v size="$1" -v wh="$2" -v kind="$3" '$1 == size && $3 == wh && $4 == "replace" { f[$5] = $6 } $1 == size && $3 == wh && $4 == kind { i[$5] = $6 }
    END { for (r in i) if (r in f) printf "%.4f\n", i[r] / f[r] }' "$results"
}
# The same with CPU seconds (wharf + server): less sensitive to other processes on the machine.
cpu_ratios() {
  awk -F'\t' -v size="$1" -v wh="$2" -v kind="$3" '$1 == size && $3 == wh && $4 == "replace" { f[$5] = $8 + $9 } $1 == size && $3 == wh && $4 == kind { i[$5] = $8 + $9 }
    END { for (r in i) if (r in f) printf "%.4f\n", i[r] / f[r] }' "$results"
}
kind_name() {
  case "$1" in
    replace) echo "replace load" ;; full) echo "first load (merge)" ;; inc) echo "$(fmt "$changes") changes, random" ;;
    inc_spread) echo "$(fmt "$changes") changes, spread" ;; inc_cluster) echo "$(fmt "$changes") changes, clustered" ;;
    inc_big) echo "$(fmt "$big_changes") changes, random" ;; nodel) echo "$(fmt $((changes * 9 / 10))) changes, no detect_deletes" ;;
  esac
}
kinds="replace full inc inc_spread inc_cluster inc_big nodel"
incremental_kinds="inc inc_spread inc_cluster inc_big nodel"
# From 20M rows the issue asks for 5%.
if [ "$rows" -ge 20000000 ]; then max_ratio=0.05; fi
label() { case "$1" in duckdb) echo DuckDB ;; postgres) echo PostgreSQL ;; esac; }
size_rows() { if [ "$1" = big ]; then echo "$rows"; else echo "$small_rows"; fi; }
fmt() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
noisy_count=$(awk -F'\t' '$15 == "noisy"' "$results" | wc -l)

report="$out/report.md"
{
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM;" \
    "PostgreSQL $(pg_value -d postgres -c 'SHOW server_version' | cut -d' ' -f1) (scripts/postgres.sh: fsync, full_page_writes and" \
    "synchronous_commit off; here also autovacuum off, max_wal_size 8GB, CHECKPOINT before each run)," \
    ".NET SDK $(dotnet --version), wharf at commit $wharf_commit."
  echo "$runs rounds per size and warehouse; $noisy_count measurement(s) still noisy after $max_retries retry(ies); the measurements took $((elapsed / 60)) min $((elapsed % 60)) s."
  echo "Changes per incremental run: $changes ($((changes * 6 / 10)) updates, $((changes * 3 / 10)) inserts, $((changes - changes * 6 / 10 - changes * 3 / 10)) deletes);" \
    "$big_changes in the same proportions; without detect_deletes $((changes * 6 / 10 + changes * 3 / 10)) (no deletes)."
  echo
  echo "### Against a replace reload (medians; ratios are medians of the per-round ratios to the replace load)"
  echo
  echo "| rows | warehouse | run | wall s | / replace | CPU / replace | peak MiB |"
  echo "|---:|---|---|---:|---:|---:|---:|"
  for size in big small; do
    for wh in ${warehouses//,/ }; do
      for kind in $kinds; do
        echo "| $(fmt "$(size_rows "$size")") | $(label "$wh") | $(kind_name "$kind") | $(num "$(med "$size" "$wh" "$kind" 6)") |" \
          "$(pct "$(ratios "$size" "$wh" "$kind" | median)") | $(pct "$(cpu_ratios "$size" "$wh" "$kind" | median)") | $(mib "$(med "$size" "$wh" "$kind" 7)") |"
      done
    done
  done
  echo
  echo "### Where the time goes (medians, seconds)"
  echo
  echo "Phases from the times wharf's progress lines appeared: *start-up* (process start to the first line: .NET, the"
  echo "warehouse, the state), *changed rows* (the cursor extract: read in updated_at order, written to the lake, merged and"
  echo "committed chunk by chunk), *key scan* (the wait, after the changed rows, for every key of the source in the lake, or"
  echo "for the keys' summary, which a PostgreSQL source computes beside the changed rows), *delete* (the keys compared with the"
  echo "table, the delete, the audit and the commit). The rest of the wall time is the summary and shutdown."
  echo
  echo "| rows | warehouse | run | wall | start-up | changed rows | key scan | delete | CPU s (wharf / server) | peak MiB (max) |"
  echo "|---:|---|---|---:|---:|---:|---:|---:|---|---:|"
  for size in big small; do
    for wh in ${warehouses//,/ }; do
      for kind in $kinds; do
        name=$(kind_name "$kind")
        keys=$(med "$size" "$wh" "$kind" 13); [ -n "$keys" ] || keys=—
        [ "$keys" = — ] || keys=$(num "$keys")
        echo "| $(fmt "$(size_rows "$size")") | $(label "$wh") | $name | $(num "$(med "$size" "$wh" "$kind" 6)") | $(num "$(med "$size" "$wh" "$kind" 11)") |" \
          "$(num "$(med "$size" "$wh" "$kind" 12)") | $keys | $(num "$(med "$size" "$wh" "$kind" 14)") |" \
          "$(num "$(med "$size" "$wh" "$kind" 8)") / $(num "$(med "$size" "$wh" "$kind" 9)") | $(mib "$(med "$size" "$wh" "$kind" 7)") ($(mib "$(maxof "$size" "$wh" "$kind" 7)")) |"
      done
    done
  done
  echo
  echo "### Verdict"
  echo
  echo "| target | measured | verdict |"
  echo "|---|---:|---|"
  for wh in ${warehouses//,/ }; do
    rr=$(ratios big "$wh" full | median)
    echo "| $(label "$wh"): first load / replace load at $(fmt "$rows") rows ≤ $max_first | $(num "$rr") | $(verdict "$rr" "$max_first" '<=') |"
    for kind in inc inc_spread inc_cluster; do
      rr=$(ratios big "$wh" "$kind" | median)
      echo "| $(label "$wh"): $(kind_name "$kind") / replace load at $(fmt "$rows") rows ≤ $(pct "$max_ratio") (CPU: $(pct "$(cpu_ratios big "$wh" "$kind" | median)")) | $(pct "$rr") | $(verdict "$rr" "$max_ratio" '<=') |"
    done
  done
  for wh in ${warehouses//,/ }; do
    g=$(ratio_of "$(maxof big "$wh" inc 7)" "$(maxof small "$wh" inc 7)")
    echo "| $(label "$wh"): incremental peak RSS (detect_deletes) at $(fmt "$rows") / at $(fmt "$small_rows") rows ≤ $max_peak_growth (largest of the runs: $(mib "$(maxof big "$wh" inc 7)") / $(mib "$(maxof small "$wh" inc 7)") MiB) | $g | $(verdict "$g" "$max_peak_growth" '<=') |"
  done
  echo
  echo "Bounded by the change, not the table (medians, wall seconds; growth = at $(fmt "$rows") / at $(fmt "$small_rows") rows):"
  echo
  echo "| warehouse | run | $(fmt "$small_rows") rows | $(fmt "$rows") rows | growth | of which key scan + delete at $(fmt "$rows") |"
  echo "|---|---|---:|---:|---:|---:|"
  for wh in ${warehouses//,/ }; do
    for kind in $incremental_kinds; do
      name=$(kind_name "$kind")
      s=$(med small "$wh" "$kind" 6); b=$(med big "$wh" "$kind" 6)
      kd=$(awk -F'\t' -v wh="$wh" -v kind="$kind" '$1 == "big" && $3 == wh && $4 == kind { print ($13 == "-" ? 0 : $13) + $14 }' "$results" | median)
      echo "| $(label "$wh") | $name | $(num "$s") | $(num "$b") | $(ratio_of "$b" "$s") | $(num "$kd") |"
    done
  done
  echo
  echo "Every run was checked: the warehouse's count and sums of id, checksum, amount and length(note) equal the"
  echo "source's, and _wharf.runs counts exactly the inserts, updates and deletes made."
} >"$report"
echo
cat "$report"
echo
echo "(saved to $report; the measurements to $out/results.tsv, wharf's output to $out/logs/)"
