#!/usr/bin/env bash
# Runs every test from a fresh clone: builds the solution (warnings are errors; DuckDB's native
# library comes in the DuckDB.NET.Data.Full NuGet package), starts a throwaway PostgreSQL
# (scripts/postgres.sh) and, beside it, the servers listed in `servers` below (MariaDB, RabbitMQ,
# NATS with JetStream, moto's S3, OpenSSH's SFTP, Apache's WebDAV, vsftpd's FTP: one scripts/NAME.sh each) — each installed with
# apt-get (or pip) first when running as root on a machine without it — and runs the test projects.
# The servers are stopped and their folders removed however the run ends.
#   ./scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Csv]
# With WHARF_TEST_POSTGRES already set (an Npgsql connection string), that server is used instead;
# likewise WHARF_TEST_MYSQL_URL (mysql://user:password@host:port/database) for MariaDB or MySQL,
# WHARF_TEST_RABBITMQ_URL (amqp://…) with WHARF_TEST_RABBITMQ_MANAGEMENT_URL (http://…:15672/) for RabbitMQ, WHARF_TEST_NATS_URL (nats://…) for NATS,
# WHARF_TEST_S3_ENDPOINT (http://host:port of an S3-compatible server that accepts any key), and
# WHARF_TEST_SFTP_HOST with the other WHARF_TEST_SFTP_* variables (see scripts/sshd.sh), WHARF_TEST_WEBDAV_URL
# (scripts/webdav.sh) and WHARF_TEST_FTP_PORT with the other WHARF_TEST_FTP_* variables (scripts/ftp.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is needed." >&2; exit 1; }
# shellcheck source=postgres.sh
source scripts/postgres.sh
# The servers beside PostgreSQL, each in scripts/NAME.sh: "NAME VARIABLE DIR_VARIABLE WHAT_FAILS".
# A server is ours (installed, started, stopped here) unless VARIABLE is set already; its start
# prints export lines, DIR_VARIABLE among them (the folder its stop removes).
servers=(
    "mariadb WHARF_TEST_MYSQL_URL WHARF_TEST_MYSQL_DIR MySQL-source"
    "rabbitmq WHARF_TEST_RABBITMQ_URL WHARF_TEST_RABBITMQ_DIR RabbitMQ"
    "nats WHARF_TEST_NATS_URL WHARF_TEST_NATS_DIR NATS"
    "moto WHARF_TEST_S3_ENDPOINT WHARF_TEST_MOTO_DIR S3"
    "sshd WHARF_TEST_SFTP_HOST WHARF_TEST_SSHD_DIR SFTP"
    "webdav WHARF_TEST_WEBDAV_URL WHARF_TEST_WEBDAV_DIR WebDAV"
    "ftp WHARF_TEST_FTP_PORT WHARF_TEST_FTP_DIR FTP"
)
for entry in "${servers[@]}"; do
    # shellcheck disable=SC1090
    source "scripts/${entry%% *}.sh"
done

# Debian's prometheus scrapes a real wharf serve in ServePrometheusTests (which fail, saying so, without it).
if ! command -v prometheus >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "test.sh: installing Debian's prometheus package (apt-get)..." >&2
    wharf_apt_install test.sh prometheus || echo "test.sh: prometheus could not be installed; ServePrometheusTests will fail." >&2
fi

# Debian's chromium is the browser of tests/Wharf.BrowserTests (Playwright drives it; it never
# downloads a browser of its own). Without it those tests skip on a developer's machine and fail under CI=true.
if ! [[ -x /usr/bin/chromium ]] && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "test.sh: installing Debian's chromium package (apt-get)..." >&2
    wharf_apt_install test.sh chromium || echo "test.sh: chromium could not be installed; the browser tests will fail (CI) or skip." >&2
fi

declare -A start_pid=() start_env=() server_dir=()

# Waits for the start of server $1 and takes its export lines; "" when it was not started.
wait_for_server() {
    local name=$1 dir_var=$2 what=$3 env_file=${start_env[$1]:-}
    [[ -n "${start_pid[$name]:-}" ]] || return 0
    # Bounded: each start script gives up after its own timeout.
    if wait "${start_pid[$name]}" && [[ -s "$env_file" ]]; then
        # shellcheck disable=SC1090
        source "$env_file"
        server_dir[$name]=${!dir_var}
    else
        # A half-started server's folder is removed by its own script.
        echo "test.sh: $name did not start; the ${what//-/ } tests will fail under CI=true." >&2
    fi
    unset "start_pid[$name]"
    rm -f "$env_file"
}

test_pid=""
own_server=false
finish() {
    local status=$? entry name var dir_var what
    trap - EXIT INT TERM
    if [[ -n "$test_pid" ]]; then
        # The whole group: dotnet test, its test hosts and the wharf processes they start.
        kill -TERM -- "-$test_pid" 2>/dev/null || kill -TERM "$test_pid" 2>/dev/null || true
        wait "$test_pid" 2>/dev/null || true
    fi
    rm -f "${test_log:-}"
    if [[ "$own_server" == true ]]; then
        wharf_pg_stop || true
    fi
    for entry in "${servers[@]}"; do
        read -r name var dir_var what <<<"$entry"
        # One still starting: its folder comes back through the env file once its start ends.
        wait_for_server "$name" "$dir_var" "$what" 2>/dev/null
        if [[ -n "${server_dir[$name]:-}" ]]; then
            "wharf_${name}_stop" "${server_dir[$name]}" || true
        fi
    done
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z "${WHARF_TEST_POSTGRES:-}" ]]; then
    own_server=true
    unset WHARF_TEST_PG_DIR # set by wharf_pg_start: only ever stop our own server
    # Before the build, so a machine without PostgreSQL fails (or installs it) at once.
    WHARF_TEST_PG_BIN=$(wharf_pg_bin)
    export WHARF_TEST_PG_BIN
fi
# Installed one at a time (apt-get, one package manager at a time), then started in the background
# during the build (RabbitMQ's Erlang alone takes seconds to boot). A machine where one cannot be
# had still runs the tests: its tests fail under CI=true and are skipped, saying why, elsewhere.
for entry in "${servers[@]}"; do
    read -r name var dir_var what <<<"$entry"
    if [[ -n "${!var:-}" ]]; then
        echo "using the $name server in $var"
        continue
    fi
    unset "$dir_var" # set by the start: only ever stop our own server
    if ! "wharf_${name}_install"; then
        echo "test.sh: $name is not available; the ${what//-/ } tests will fail under CI=true." >&2
        continue
    fi
    start_env[$name]=$(mktemp "/tmp/wharf-$name-env.XXXXXX")
    "scripts/$name.sh" start >"${start_env[$name]}" &
    start_pid[$name]=$!
done

echo "== build"
dotnet build Wharf.slnx -c Release --nologo -v quiet

echo "== postgres, ${servers[*]%% *}"
if [[ "$own_server" == true ]]; then
    wharf_pg_start
else
    echo "using the server in WHARF_TEST_POSTGRES"
fi
for entry in "${servers[@]}"; do
    read -r name var dir_var what <<<"$entry"
    wait_for_server "$name" "$dir_var" "$what"
done

echo "== test"
status=0
# In the background, so that INT and TERM are handled at once rather than when the tests end, and
# in a process group of its own (setsid), so that finish can stop all of it.
own_group=()
command -v setsid >/dev/null && own_group=(setsid)
# The output is also kept in a file so that the failures can be repeated at the very end, where a
# CI log that keeps only its tail still shows which test failed and why.
test_log=$(mktemp /tmp/wharf-test-log.XXXXXX)
"${own_group[@]}" bash -c 'log=$1; shift
    dotnet test Wharf.slnx -c Release --no-build --nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
    exit "${PIPESTATUS[0]}"' test "$test_log" "$@" </dev/null &
test_pid=$!
wait "$test_pid" || status=$?
test_pid=""
if [[ $status != 0 ]] && grep -qE '^\s+Failed ' "$test_log"; then
    echo "== failed tests (repeated from above)"
    grep -E -A 25 '^\s+Failed ' "$test_log" | grep -vE '^\s+Passed ' | head -300
fi
rm -f "$test_log"
exit $status
