#!/usr/bin/env bash
# What data-quality checks and quarantine cost: the generated orders CSV into a fresh DuckDB
# warehouse (mode: replace), with and without checks, side by side.
#   bench/checks.sh [--rows N] [--runs K] [--warmup W] [--retries R] [--head] [--timeout SECONDS] [--quiet-wait SECONDS]
# (a) none        ./wharf run --project <dir>: no checks
# (b) pass        the same pipeline with 8 checks (not_null id and status, unique id, accepted_values
#                 status, range amount [0, 2000], regex country ^[A-Z]{2}$, expression quantity
#                 between 1 and 12, row_count min 1 (warn)), on_check_failure: quarantine; all pass
# (c) quarantine  the same checks with range amount [0, 1684]: ~5% of the rows fail and are set aside
# Each round runs the three sides in a rotating order, each under /usr/bin/time -v (wall, CPU, peak
# RSS) once the machine is idle; a round during which other processes took CPU, or the ./wharf
# launcher rebuilt itself, is measured again (at most R extra rounds). After every run the warehouse
# is checked: table = N rows (a, b), quarantine = the failing rows counted by DuckDB directly on the
# CSV (count and sum of ids), table + quarantine = N (c), and _wharf.runs / _wharf.check_results agree.
# Prints every round, the medians, the cost of checks (b - a, c - a: median of the per-round
# differences, in seconds and as a fraction of a) and PASS/FAIL against the targets, which are set for
# 10,000,000 rows: b - a < 10 s and c - a < 15 s ("seconds, not minutes").
# wharf is the repository's launcher ./wharf (the work tree, rebuilt when src/ changes; a run that
# catches a half-edited src/ whose build fails is measured again once it builds); --head runs a build
# of the committed HEAD instead (git archive, Release, once per commit), which edits cannot disturb.
# Defaults: N 10000000, K 3, W 1, R = K, timeout 1800, quiet-wait 60. Data: bench/data/rows-N/ (generated
# when missing). Output: bench/out/checks/ (report.md, results.tsv, logs/).
# Exit code: 0 when every run succeeded and was correct (even if a target is missed), 1 on an error
# or a wrong result, 2 on bad usage.
set -euo pipefail

rows=10000000
runs=3
warmup=1
head=no
retries=
timeout_seconds=1800
quiet_wait=60
max_pass_cost=10
max_quarantine_cost=15
target_rows=10000000
# The generated amount is the sum of two uniform parts (0..999.99 and 0..999), so it lies in
# [0, 1998.99] with a triangular distribution: P(amount > 1684) = (2000 - 1684)^2 / (2 * 1000^2) = 5%.
pass_max=2000
fail_max=1684

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
positive() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || { echo "checks.sh: $1 must be an integer >= $3, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [ $# -ge 2 ] || usage; positive --rows "$2" 1000; rows=$2; shift 2 ;;
    --runs) [ $# -ge 2 ] || usage; positive --runs "$2" 1; runs=$2; shift 2 ;;
    --warmup) [ $# -ge 2 ] || usage; positive --warmup "$2" 0; warmup=$2; shift 2 ;;
    --retries) [ $# -ge 2 ] || usage; positive --retries "$2" 0; retries=$2; shift 2 ;;
    --head) head=yes; shift ;;
    --timeout) [ $# -ge 2 ] || usage; positive --timeout "$2" 1; timeout_seconds=$2; shift 2 ;;
    --quiet-wait) [ $# -ge 2 ] || usage; positive --quiet-wait "$2" 0; quiet_wait=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "checks.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ "$runs" -le 50 ] || { echo "checks.sh: --runs is capped at 50" >&2; exit 2; }
[ "$warmup" -le 5 ] || { echo "checks.sh: --warmup is capped at 5" >&2; exit 2; }
retries=${retries:-$runs}
[ "$retries" -le 50 ] || { echo "checks.sh: --retries is capped at 50" >&2; exit 2; }

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"
wharf="$root/wharf"
data="$bench/data/rows-$rows"
out="$bench/out/checks"
bench_tool="$bench/out/build/bin/Wharf.Bench/release/Wharf.Bench"
build_stamp="$root/artifacts/cli/.build-stamp"
sides=(none pass quarantine)

# machine_busy, wait_for_quiet, time_report, noisy, median, verdict.
source "$bench/lib.sh"

bench_setup checks.sh launcher
rm -rf "$out/logs"; mkdir -p "$out/logs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Builds into bench/out/build so that it never races a build of src/ running in the work tree.
say "building the bench tool (Release)"
dotnet build "$bench/Wharf.Bench/Wharf.Bench.csproj" -c Release --artifacts-path "$bench/out/build" -nologo -v quiet \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "building bench/Wharf.Bench failed"; }

if [ ! -s "$data/orders.csv" ] || [ "$(cat "$data/orders.rows" 2>/dev/null)" != "$rows" ]; then
  say "generating $rows orders into $data (disk: $(df -h --output=avail "$bench" | tail -n 1 | tr -d ' ') free)"
  rm -f "$data/orders.rows"
  "$bench_tool" generate --rows "$rows" --out "$data" >&2 || fail "generating the data failed"
  echo "$rows" >"$data/orders.rows"
fi
csv="$data/orders.csv"

# The launcher rebuilds the CLI when src/ changed (other people edit it while this runs); a build
# can fail for a while when it catches an edit half-way, so retry for up to 10 minutes.
warm_wharf() {
  local log=$1 i
  [ "$head" = no ] || return 0
  for i in $(seq 1 20); do
    "$wharf" --help >"$log" 2>&1 && return 0
    echo "   ('$wharf --help' failed, attempt $i/20; retrying in 30 s: $(tail -n 1 "$log"))" >&2
    sleep 30
  done
  cat "$log" >&2
  fail "'$wharf --help' kept failing (the launcher could not build src/)"
}
if [ "$head" = yes ]; then
  full_commit=$(git -C "$root" rev-parse HEAD)
  cli="$out/wharf-cli"
  build_wharf_at_head "$root" "$cli" "$work/wharf-build.log"
  wharf_cmd=(dotnet "$cli/wharf.dll")
  commit="${full_commit:0:7}, built from git archive HEAD"
else
  say "warming up wharf (the launcher may build on first use)"
  warm_wharf "$work/wharf-help.log"
  wharf_cmd=("$wharf")
  commit="$(git -C "$root" rev-parse --short HEAD) + $(git -C "$root" status --porcelain -- src | wc -l) changed files in src/, ./wharf launcher"
fi
duckdb_version=$("$bench_tool" version)

# ---- the three projects: the same CSV, pipeline and table; only the checks differ ----
checks_yaml() {
  cat <<EOF
    checks:
      - not_null: [id, status]
      - unique: id
      - accepted_values: { column: status, values: [pending, paid, shipped, delivered, cancelled, refunded] }
      - range: { column: amount, min: 0, max: $1 }
      - regex: { column: country, pattern: "^[A-Z]{2}\$" }
      - expression: "quantity between 1 and 12"
      - row_count: { min: 1 }
        severity: warn          # a table check must be warn under quarantine (it cannot set rows aside)
    on_check_failure: quarantine
EOF
}
for side in "${sides[@]}"; do
  mkdir -p "$out/projects/$side"
  {
    cat <<EOF
# Written by bench/checks.sh (side: $side). Paths are relative to this folder.
warehouse: duckdb:out/warehouse.duckdb
lake: out/lake/
connections:
  bench_files: { type: files, path: $data }
pipelines:
  orders:
    source: bench_files
    files: "orders.csv"
    table: orders
    mode: replace
EOF
    case "$side" in
      pass) checks_yaml "$pass_max" ;;
      quarantine) checks_yaml "$fail_max" ;;
    esac
  } >"$out/projects/$side/wharf.yml"
done
project() { echo "$out/projects/$1"; }

# wharf query on project $1, the single row of CSV it returns (no header).
query() {
  local result
  result=$(cd "$root" && "${wharf_cmd[@]}" query --project "$1" --format csv "$2" 2>"$work/query.err") \
    || { cat "$work/query.err" >&2; fail "wharf query --project $1 failed: $2"; }
  tail -n 1 <<<"$result"
}

# ---- what the checks should find, computed by DuckDB directly on the CSV (not through wharf) ----
# A row fails when any check fails; NULLs pass every check but not_null, as documented.
failing_sql() {
  cat <<EOF
WITH o AS (SELECT * FROM read_csv('$csv')),
dup AS (SELECT id FROM o WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1)
SELECT count(*) || ' ' || coalesce(sum(id), 0) FROM o
WHERE id IS NULL OR status IS NULL OR id IN (SELECT id FROM dup)
   OR status NOT IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')
   OR amount < 0 OR amount > $1
   OR NOT regexp_full_match(country, '[A-Z]{2}')
   OR quantity NOT BETWEEN 1 AND 12
EOF
}
say "counting the rows that fail the checks, with DuckDB alone on the CSV (untimed)"
# (Command substitutions go to a variable first: one inside a here-string would not stop the script.)
scalar() { "$bench_tool" scalar --sql "$1" || fail "Wharf.Bench scalar failed: $1"; }
line=$(scalar "SELECT count(*) || ' ' || sum(id) FROM read_csv('$csv')")
read -r csv_rows id_sum <<<"$line"
[ "$csv_rows" = "$rows" ] || fail "$csv holds $csv_rows rows, expected $rows"
line=$(scalar "$(failing_sql "$pass_max")")
read -r pass_failing _ <<<"$line"
[ "$pass_failing" = 0 ] || fail "the generated data fails the passing side's checks on $pass_failing rows; expected none"
line=$(scalar "$(failing_sql "$fail_max")")
read -r expected_quarantined expected_id_sum <<<"$line"
[ "$expected_quarantined" -gt 0 ] || fail "no row fails amount <= $fail_max; the quarantine side would do nothing"
echo "   $expected_quarantined of $rows rows fail (amount > $fail_max): $(awk -v q="$expected_quarantined" -v n="$rows" 'BEGIN { printf "%.2f%%", 100 * q / n }')" >&2

# ---- measuring ----
# Prefixes every line with the time it arrived (for wharf's phases).
stamp() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# Runs side $1 (log $2) under /usr/bin/time on a fresh warehouse and lake; prints "wall_s peak_kib
# cpu_s foreign_cpu_s startup_s extract_s load_s", where foreign is the CPU other processes took
# meanwhile (the noise) and the phases come from wharf's progress lines: startup (process start →
# "reading orders.csv"), extract (→ "loading": CSV → lake Parquet), load (→ the process's end:
# staging, checks, quarantine, the table and the commit, then the summary).
measure() {
  local side=$1 log=$2 dir timing="$work/run.time" busy_before busy_after status=0 t0 t1 report phases
  local attempt
  dir=$(project "$side")
  for attempt in 1 2 3 4 5; do
    rm -rf "$dir/out" "$dir/.wharf"
    warm_wharf "$log"
    wait_for_quiet
    busy_before=$(machine_busy)
    t0=$EPOCHREALTIME
    status=0
    (cd "$root" && timeout "$timeout_seconds" /usr/bin/time -v -o "$timing" "${wharf_cmd[@]}" run --project "$dir") 2>&1 | stamp >"$log" || status=$?
    t1=$EPOCHREALTIME
    # src/ changed after the warm-up and the launcher's rebuild failed on someone's half-done edit:
    # not wharf's run failing. Measure again once it builds.
    if [ "$status" != 0 ] && grep -q '^[0-9.]* wharf: the build failed' "$log"; then
      echo "   (the launcher's rebuild failed inside the run of $side, attempt $attempt/5: $(grep -m 1 'error' "$log" | cut -d' ' -f2- | cut -c1-160); measuring again)" >&2
      cp "$log" "$log.build-failed-$attempt"
      continue
    fi
    break
  done
  [ "$status" = 0 ] || { tail -n 40 "$log" >&2; fail "'${wharf_cmd[*]} run --project $dir' failed or timed out (exit $status; log above, in $log)"; }
  busy_after=$(machine_busy)
  # A rebuild inside the timed run (src/ changed in the meantime) is noise too: count it as foreign CPU.
  if grep -q '^[0-9.]* wharf: building' "$log"; then busy_after=$(awk -v b="$busy_after" 'BEGIN { print b + 1000 }'); fi
  report=$(time_report "$timing") || fail "could not read $timing"
  phases=$(awk -v t0="$t0" -v t1="$t1" '
    / reading orders\.csv/ && !r { r = $1 } /: loading$/ && !l { l = $1 } / rows into / && !d { d = $1 }
    END { if (!r || !l || !d) { print "- - -"; exit } printf "%.2f %.2f %.2f\n", r - t0, l - r, t1 - l }' "$log")
  awk -v r="$report" -v busy="$busy_before $busy_after" -v phases="$phases" 'BEGIN {
    split(r, m, " "); split(busy, b, " "); foreign = b[2] - b[1] - m[3]; if (foreign < 0) foreign = 0
    printf "%s %s %s %.2f %s\n", m[1], m[2], m[3], foreign, phases }'
}

# What side $1 left in its warehouse must be exactly right, or the script stops.
verify() {
  local side=$1 dir counts table_rows lake_rows line
  dir=$(project "$side")
  counts=$("$bench_tool" count --db "$dir/out/warehouse.duckdb" --table orders --parquet "$dir/out/lake") || fail "could not count $side's output"
  read -r table_rows lake_rows <<<"$counts"
  [ "$lake_rows" = "$rows" ] || fail "WRONG RESULT ($side): the lake holds $lake_rows rows, expected $rows"
  line=$(query "$dir" "
    WITH r AS (SELECT * FROM _wharf.runs WHERE pipeline = 'orders' ORDER BY started_at DESC LIMIT 1)
    SELECT r.status, r.rows_loaded, coalesce(r.rows_quarantined, 0),
      (SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'orders__quarantine'),
      (SELECT count(*) FROM _wharf.check_results c WHERE c.run_id = r.run_id),
      (SELECT count(*) FROM _wharf.check_results c WHERE c.run_id = r.run_id AND c.status = 'passed'),
      (SELECT string_agg(c.status || ' ' || c.failing_rows, ' ') FROM _wharf.check_results c WHERE c.run_id = r.run_id AND c.check_name = 'range(amount)')
    FROM r")
  local run_status loaded quarantined has_quarantine results passed range
  IFS=, read -r run_status loaded quarantined has_quarantine results passed range <<<"$line"
  [ "$run_status" = succeeded ] || fail "WRONG RESULT ($side): the run is recorded as '$run_status'"
  case "$side" in
    none)
      [ "$table_rows $loaded $results $has_quarantine" = "$rows $rows 0 0" ] \
        || fail "WRONG RESULT (none): table $table_rows rows, rows_loaded $loaded, $results check results, $has_quarantine quarantine table; expected $rows, $rows, 0, 0" ;;
    pass)
      [ "$table_rows $loaded $quarantined $has_quarantine $results $passed" = "$rows $rows 0 0 8 8" ] \
        || fail "WRONG RESULT (pass): table $table_rows rows, rows_loaded $loaded, rows_quarantined $quarantined, $has_quarantine quarantine table, $passed of $results checks passed; expected $rows, $rows, 0, 0, 8 of 8" ;;
    quarantine)
      local q_rows q_sum q_checks t_sum
      line=$(query "$dir" "
        SELECT count(*), sum(CAST(id AS BIGINT)), string_agg(DISTINCT _wharf_check, '|'), (SELECT sum(id) FROM main.orders)
        FROM main.orders__quarantine")
      IFS=, read -r q_rows q_sum q_checks t_sum <<<"$line"
      [ "$q_rows $q_sum" = "$expected_quarantined $expected_id_sum" ] \
        || fail "WRONG QUARANTINE: main.orders__quarantine holds $q_rows rows (sum of ids $q_sum); DuckDB counts $expected_quarantined failing rows in the CSV (sum of ids $expected_id_sum)"
      [ "$q_checks" = "range(amount)" ] || fail "WRONG QUARANTINE: the quarantined rows name the checks '$q_checks', expected only range(amount)"
      [ $((table_rows + q_rows)) = "$rows" ] && [ $((t_sum + q_sum)) = "$id_sum" ] \
        || fail "WRONG RESULT (quarantine): table $table_rows + quarantine $q_rows rows (sum of ids $t_sum + $q_sum); expected $rows rows (sum $id_sum)"
      [ "$loaded $quarantined" = "$table_rows $expected_quarantined" ] \
        || fail "WRONG COUNTS (quarantine): _wharf.runs says $loaded loaded, $quarantined quarantined; expected $table_rows, $expected_quarantined"
      [ "$results $passed $range" = "8 7 quarantined $expected_quarantined" ] \
        || fail "WRONG COUNTS (quarantine): $passed of $results checks passed, range(amount): '$range'; expected 7 of 8, 'quarantined $expected_quarantined'" ;;
  esac
}

# When the launcher's CLI was last built (a change within a round means its sides ran different code).
stamp_of_build() { if [ "$head" = yes ]; then echo head; else stat -c %Y "$build_stamp" 2>/dev/null || echo none; fi; }

for ((i = 1; i <= warmup; i++)); do
  say "warm-up $i/$warmup (not counted)"
  for side in "${sides[@]}"; do measure "$side" "$out/logs/warmup-$i-$side.log" >/dev/null; verify "$side"; done
done

results="$work/results.tsv"
: >"$results"
printf '%-5s  %-10s  %8s  %8s  %8s  %7s  %7s  %8s  %8s  %8s  %7s  %7s  %7s\n' \
  round first none_s pass_s quar_s b-a_s c-a_s none_MiB pass_MiB quar_MiB none_cpu pass_cpu quar_cpu
round=0
redone=0
while [ "$(wc -l <"$results")" -lt "$runs" ]; do
  round=$((round + 1))
  # Rotate the order: none pass quarantine, pass quarantine none, quarantine none pass, ...
  order=()
  for k in 0 1 2; do order+=("${sides[$(((round - 1 + k) % 3))]}"); done
  build_before=$(stamp_of_build)
  declare -A m=()
  for side in "${order[@]}"; do
    m[$side]=$(measure "$side" "$out/logs/round-$round-$side.log")
    verify "$side"
  done
  rebuilt=no
  [ "$(stamp_of_build)" = "$build_before" ] || rebuilt=yes
  read -r as ak ac af ap1 ap2 ap3 <<<"${m[none]}"
  read -r bs bk bc bf bp1 bp2 bp3 <<<"${m[pass]}"
  read -r cs ck cc cf cp1 cp2 cp3 <<<"${m[quarantine]}"
  line=$(awk -v a="$as" -v b="$bs" -v c="$cs" -v ak="$ak" -v bk="$bk" -v ck="$ck" -v ac="$ac" -v bc="$bc" -v cc="$cc" \
    -v r="$round" -v f="${order[0]}" 'BEGIN {
    printf "%-5s  %-10s  %8.2f  %8.2f  %8.2f  %7.2f  %7.2f  %8.0f  %8.0f  %8.0f  %7.2f  %7.2f  %7.2f",
      r, f, a, b, c, b - a, c - a, ak / 1024, bk / 1024, ck / 1024, ac, bc, cc }')
  # Another process stole CPU during this round, or src/ changed and the sides ran different builds:
  # measure it again, a bounded number of times.
  if { noisy "$ac" "$af" || noisy "$bc" "$bf" || noisy "$cc" "$cf" || [ "$rebuilt" = yes ]; } && [ "$redone" -lt "$retries" ]; then
    redone=$((redone + 1))
    echo "$line   noisy (other processes used ${af}s / ${bf}s / ${cf}s CPU meanwhile; over 1000 s means wharf rebuilt itself; rebuilt between sides: $rebuilt), measured again"
    continue
  fi
  note=""
  if noisy "$ac" "$af" || noisy "$bc" "$bf" || noisy "$cc" "$cf" || [ "$rebuilt" = yes ]; then note="noisy"; fi
  printf '%s\n' "$round ${order[0]} $as $bs $cs $ak $bk $ck $ac $bc $cc $ap1 $ap2 $ap3 $bp1 $bp2 $bp3 $cp1 $cp2 $cp3 ${note:-ok}" | tr ' ' '\t' >>"$results"
  echo "$line${note:+   noisy (kept: no more re-measurements allowed)}"
done

# Columns of results.tsv: 1 round, 2 first, 3-5 wall (none pass quarantine), 6-8 peak KiB, 9-11 CPU,
# 12-14 phases of none (startup extract load), 15-17 of pass, 18-20 of quarantine, 21 ok|noisy.
col_median() { cut -f"$1" "$results" | median | awk '{ printf "%.2f", $1 }'; }
diff_median() { awk -F'\t' -v x="$1" -v y="$2" '{ printf "%.2f\n", $x - $y }' "$results" | median | awk '{ printf "%.2f", $1 }'; }
a_med=$(col_median 3); b_med=$(col_median 4); c_med=$(col_median 5)
b_cost=$(diff_median 4 3); c_cost=$(diff_median 5 3)
b_cpu_cost=$(diff_median 10 9); c_cpu_cost=$(diff_median 11 9)
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
pct() { awk -v x="$1" -v a="$2" 'BEGIN { printf "%.0f%%", 100 * x / a }'; }
b_verdict=$(verdict "$b_cost" "$max_pass_cost" '<'); c_verdict=$(verdict "$c_cost" "$max_quarantine_cost" '<')
scope=""
[ "$rows" = "$target_rows" ] || scope="   (the targets are set for $target_rows rows; indicative only at $rows)"
kept_noisy=$(awk -F'\t' '$21 == "noisy"' "$results" | wc -l)

{
  echo
  echo "rows $rows, $runs rounds (+$warmup warm-up, $redone noisy rounds measured again, $kept_noisy noisy kept), $(nproc) cores, DuckDB $duckdb_version, wharf $commit, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "quarantine side: $expected_quarantined rows of $rows fail range(amount) [0, $fail_max] ($(awk -v q="$expected_quarantined" -v n="$rows" 'BEGIN { printf "%.2f%%", 100 * q / n }')); verified after every run"
  printf '%-22s %9s %9s %9s\n' "" "(a) none" "(b) pass" "(c) quar."
  printf '%-22s %9s %9s %9s\n' "median wall s" "$a_med" "$b_med" "$c_med"
  printf '%-22s %9s %9s %9s\n' "median CPU s" "$(col_median 9)" "$(col_median 10)" "$(col_median 11)"
  printf '%-22s %9s %9s %9s\n' "median peak RSS MiB" "$(mib "$(col_median 6)")" "$(mib "$(col_median 7)")" "$(mib "$(col_median 8)")"
  printf '%-22s %9s %9s %9s\n' "largest peak RSS MiB" "$(mib "$(cut -f6 "$results" | sort -g | tail -n 1)")" \
    "$(mib "$(cut -f7 "$results" | sort -g | tail -n 1)")" "$(mib "$(cut -f8 "$results" | sort -g | tail -n 1)")"
  printf '%-22s %9s %9s %9s\n' "median startup s" "$(col_median 12)" "$(col_median 15)" "$(col_median 18)"
  printf '%-22s %9s %9s %9s\n' "median extract s" "$(col_median 13)" "$(col_median 16)" "$(col_median 19)"
  printf '%-22s %9s %9s %9s\n' "median load s" "$(col_median 14)" "$(col_median 17)" "$(col_median 20)"
  echo "cost of checks (median of the per-round differences):"
  printf '  (b) - (a)  %6.2f s  = %4s of (a)   CPU %+.2f s   target < %s s   %s%s\n' "$b_cost" "$(pct "$b_cost" "$a_med")" "$b_cpu_cost" "$max_pass_cost" "$b_verdict" "$scope"
  printf '  (c) - (a)  %6.2f s  = %4s of (a)   CPU %+.2f s   target < %s s   %s%s\n' "$c_cost" "$(pct "$c_cost" "$a_med")" "$c_cpu_cost" "$max_quarantine_cost" "$c_verdict" "$scope"
} | tee "$work/summary.txt"

{
  echo "# bench/checks.sh, $rows rows"
  echo
  echo '```'
  cat "$work/summary.txt"
  echo '```'
} >"$out/report.md"
cp "$results" "$out/results.tsv"
