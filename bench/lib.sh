# Shared by the bench/ scripts (sourced, not run): idle-waiting, noise detection,
# reading GNU time's report, medians and verdicts. Expects $quiet_wait (seconds) to be set.

# Defines fail and say for the script named $1, and checks what every measuring script needs
# (GNU time, timeout, and the launcher $wharf when $2 is "launcher").
bench_setup() {
  bench_name=$1
  fail() { echo "$bench_name: $*" >&2; exit 1; }
  say() { echo "== $*" >&2; }
  [ -x /usr/bin/time ] || fail "/usr/bin/time (GNU time) is needed for peak memory; apt-get install time"
  command -v timeout >/dev/null || fail "'timeout' (coreutils) is needed"
  [ "${2:-}" != launcher ] || [ -x "$wharf" ] || fail "$wharf not found or not executable (the repository's launcher)"
}

# CPU seconds the whole machine has spent busy so far (all processes, all cores), from /proc/stat.
machine_busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat; }

# Waits (up to quiet_wait seconds) until the machine is idle, so a run does not start against a build.
wait_for_quiet() {
  local waited=0 before after
  while [ "$waited" -lt "$quiet_wait" ]; do
    before=$(machine_busy); sleep 1; after=$(machine_busy); waited=$((waited + 1))
    awk -v a="$after" -v b="$before" 'BEGIN { exit !(a - b < 0.2) }' && return 0
  done
  echo "   (machine still busy after ${quiet_wait}s; measuring anyway)" >&2
}

# Prints "wall_seconds peak_kib cpu_seconds" (cpu = user + system of the command and its children)
# from a `/usr/bin/time -v -o FILE` report; fails when the report is incomplete.
time_report() {
  awk -F': ' '
    /Elapsed \(wall clock\) time/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
    /Maximum resident set size/ { rss = $2 }
    /User time \(seconds\)/ { cpu += $2 }
    /System time \(seconds\)/ { cpu += $2 }
    END { if (s == "" || rss == "") exit 1; printf "%.2f %d %.2f\n", s, rss, cpu }' "$1"
}

# CPU seconds (user + system) one process has used so far; 0 when it is gone.
process_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# A measurement is noisy when other processes took more than 0.5 CPU second plus 10% of its own CPU.
noisy() { awk -v cpu="$1" -v foreign="$2" 'BEGIN { exit !(foreign > 0.5 + 0.1 * cpu) }'; }

# The median of the numbers on standard input, one per line.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# verdict VALUE TARGET OP: PASS when "VALUE OP TARGET" holds (OP: <, <=, >, >=).
verdict() { if awk -v v="$1" -v t="$2" "BEGIN { exit !(v $3 t) }"; then echo PASS; else echo FAIL; fi; }

# Builds wharf from the committed HEAD of repository $1 into $2 with that commit's
# scripts/build-cli.sh, once per commit ($2/.commit), the build's log in $3. Uses the caller's say
# and fail.
build_wharf_at_head() {
  local root=$1 cli=$2 log=$3 commit src="$2.src"
  commit=$(git -C "$root" rev-parse HEAD)
  [ "$(cat "$cli/.commit" 2>/dev/null)" = "$commit" ] && return 0
  say "building wharf at commit ${commit:0:7} (Release, ReadyToRun, from git archive HEAD)"
  rm -rf "$src" "$cli" "$cli.obj"
  mkdir -p "$src"
  git -C "$root" archive HEAD | tar -x -C "$src"
  # Commits before the move to DuckDB.NET fetched DuckDB's native library with npm; later ones get it from NuGet.
  if [ -x "$src/scripts/fetch-duckdb.sh" ]; then
    "$src/scripts/fetch-duckdb.sh" --quiet >/dev/null || fail "scripts/fetch-duckdb.sh failed"
  fi
  "$src/scripts/build-cli.sh" "$src" "$cli" >"$log" 2>&1 || { tail -n 40 "$log" >&2; fail "building wharf failed"; }
  echo "$commit" >"$cli/.commit"
  rm -rf "$src"
}

# Sets wharf_cmd and wharf_commit: the repository's launcher $wharf (with launcher=yes: the work
# tree, rebuilt when src/ changes), or a build of the committed HEAD in $out/wharf-cli. Needs $root,
# $out and $work.
choose_wharf() {
  if [ "$launcher" = yes ]; then
    say "warming up wharf (the launcher may build on first use)"
    "$wharf" --help >"$work/wharf-help.log" 2>&1 || { cat "$work/wharf-help.log" >&2; fail "'$wharf --help' failed"; }
    wharf_cmd=("$wharf")
    wharf_commit="$(git -C "$root" rev-parse --short HEAD) + $(git -C "$root" status --porcelain -- src | wc -l) changed files in src/, ./wharf launcher"
  else
    build_wharf_at_head "$root" "$out/wharf-cli" "$work/wharf-build.log"
    wharf_cmd=(dotnet "$out/wharf-cli/wharf.dll")
    wharf_commit="$(git -C "$root" rev-parse --short HEAD), built from git archive HEAD"
  fi
}

# ---- PostgreSQL (bench/postgres.sh, bench/pg-probe.sh) ----

# CPU seconds a PostgreSQL server (postmaster pid $1) has used so far: the postmaster, its live
# children, and its exited children (reaped into the postmaster's cutime/cstime).
pg_server_cpu() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$1" -v hz="$(getconf CLK_TCK)" '
    $2 == "(postgres)" && ($1 == pm || $4 == pm) { t += $14 + $15; if ($1 == pm) t += $16 + $17 }
    END { printf "%.2f\n", t / hz }'
}

# CPU seconds the kernel has used so far on its own account: kernel threads (page-cache writeback
# of what was written, ksoftirqd) and interrupts. Part of every side's cost, not noise.
kernel_cpu() {
  local threads interrupts
  threads=$({ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '$1 == 2 || $4 == 2 { t += $14 + $15 } END { print t + 0 }')
  interrupts=$(awk '/^cpu / { print $7 + $8; exit }' /proc/stat)
  awk -v t="$threads" -v i="$interrupts" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f\n", (t + i) / hz }'
}

# Waits (up to 10 s) until no client backend of user $2 is left under postmaster $1, so that its
# CPU has been counted.
pg_wait_for_backends() {
  local i pid cmd busy
  for i in $(seq 1 100); do
    busy=no
    for pid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
      cmd=$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null || true)
      case "$cmd" in "postgres: $2 "*) busy=yes ;; esac
    done
    [ "$busy" = no ] && return 0
    sleep 0.1
  done
}

# Starts a throwaway server (scripts/postgres.sh, stopped by the caller's wharf_pg_stop) and sets
# pg_bin, port, postmaster and the helpers pg (psql as wharf), pg_value (one value) and url DB.
# No autovacuum starting in the middle of a measurement (tables are vacuumed or analyzed
# explicitly instead), and WAL room for a whole load (checkpoints run before each measurement).
start_bench_server() {
  say "starting a throwaway PostgreSQL server"
  wharf_pg_start || fail "could not start PostgreSQL (scripts/postgres.sh)"
  pg_bin=$WHARF_TEST_PG_BIN
  port=${WHARF_TEST_POSTGRES_URL##*:}
  port=${port%%/*}
  postmaster=$(head -n 1 "$WHARF_TEST_PG_DIR/data/postmaster.pid")
  pg() { PGOPTIONS='-c client_min_messages=warning' "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U wharf "$@"; }
  pg_value() { pg -A -t "$@"; }
  url() { echo "postgres://wharf@127.0.0.1:$port/$1"; }
  pg -d postgres -c "ALTER SYSTEM SET autovacuum = off" -c "ALTER SYSTEM SET max_wal_size = '8GB'" \
    -c "SELECT pg_reload_conf()" >/dev/null
}
