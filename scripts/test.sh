#!/usr/bin/env bash
# Runs every test from a fresh clone: builds the solution (warnings are errors; DuckDB's native
# library comes in the DuckDB.NET.Data.Full NuGet package), starts a throwaway PostgreSQL (scripts/postgres.sh)
# and, beside it, a throwaway MariaDB (scripts/mariadb.sh), RabbitMQ (scripts/rabbitmq.sh), NATS
# with JetStream (scripts/nats.sh), an S3 server (moto, scripts/moto.sh) and an SFTP server
# (OpenSSH, scripts/sshd.sh) — each installed with apt-get first when running as root on a
# machine without it — and runs the test projects.
# The servers are stopped and their folders removed however the run ends.
#   ./scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Csv]
# With WHARF_TEST_POSTGRES already set (an Npgsql connection string), that server is used instead;
# likewise WHARF_TEST_MYSQL_URL (mysql://user:password@host:port/database) for MariaDB or MySQL,
# WHARF_TEST_RABBITMQ_URL (amqp://…) for RabbitMQ, WHARF_TEST_NATS_URL (nats://…) for NATS,
# WHARF_TEST_S3_ENDPOINT (http://host:port of an S3-compatible server that accepts any key), and
# WHARF_TEST_SFTP_HOST with the other WHARF_TEST_SFTP_* variables (see scripts/sshd.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is needed." >&2; exit 1; }
# shellcheck source=postgres.sh
source scripts/postgres.sh
# shellcheck source=mariadb.sh
source scripts/mariadb.sh
# shellcheck source=rabbitmq.sh
source scripts/rabbitmq.sh
# shellcheck source=nats.sh
source scripts/nats.sh
# shellcheck source=moto.sh
source scripts/moto.sh
# shellcheck source=sshd.sh
source scripts/sshd.sh

# Debian's prometheus scrapes a real wharf serve in ServePrometheusTests (which fail, saying so, without it).
if ! command -v prometheus >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "test.sh: installing Debian's prometheus package (apt-get)..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus >/dev/null ||
        echo "test.sh: prometheus could not be installed; ServePrometheusTests will fail." >&2
fi

# Debian's chromium is the browser of tests/Wharf.BrowserTests (Playwright drives it; it never
# downloads a browser of its own). Without it those tests skip on a developer's machine and fail under CI=true.
if ! [[ -x /usr/bin/chromium ]] && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "test.sh: installing Debian's chromium package (apt-get)..." >&2
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; }; } ||
        echo "test.sh: chromium could not be installed; the browser tests will fail (CI) or skip." >&2
fi

test_pid=""
own_server=false
own_mariadb=false
own_rabbitmq=false
own_nats=false
own_moto=false
own_sshd=false
rabbitmq_pid=""
finish() {
    local status=$?
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
    if [[ "$own_mariadb" == true ]]; then
        wharf_mariadb_stop "${mariadb_dir:-}" || true
    fi
    if [[ -n "$rabbitmq_pid" ]]; then
        # Still booting: its folder comes back through the env file once the start gives up or ends.
        wait "$rabbitmq_pid" 2>/dev/null || true
        # shellcheck disable=SC1090
        [[ -s "${rabbitmq_env:-}" ]] && source "$rabbitmq_env" && rabbitmq_dir=$WHARF_TEST_RABBITMQ_DIR
    fi
    rm -f "${rabbitmq_env:-}" "${nats_env:-}" "${moto_env:-}" "${sshd_env:-}"
    if [[ "$own_moto" == true ]]; then
        wharf_moto_stop "${moto_dir:-}" || true
    fi
    if [[ "$own_sshd" == true ]]; then
        wharf_sshd_stop "${sshd_dir:-}" || true
    fi
    if [[ "$own_rabbitmq" == true ]]; then
        wharf_rabbitmq_stop "${rabbitmq_dir:-}" || true
    fi
    if [[ "$own_nats" == true ]]; then
        wharf_nats_stop "${nats_dir:-}" || true
    fi
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
if [[ -z "${WHARF_TEST_MYSQL_URL:-}" ]]; then
    own_mariadb=true
    unset WHARF_TEST_MYSQL_DIR
    # Installed now (apt-get, one package manager at a time), started beside PostgreSQL below. A
    # machine where it cannot be had still runs the tests: the MySQL ones fail under CI=true and
    # are skipped, saying why, elsewhere.
    wharf_mariadb_install || echo "test.sh: MariaDB is not available; the MySQL source tests will fail under CI=true." >&2
fi

if [[ -z "${WHARF_TEST_RABBITMQ_URL:-}" ]]; then
    own_rabbitmq=true
    unset WHARF_TEST_RABBITMQ_DIR
    if wharf_rabbitmq_install; then
        # Erlang takes seconds to boot: started now, in the background, and waited for after the build.
        rabbitmq_env=$(mktemp /tmp/wharf-rabbitmq-env.XXXXXX)
        scripts/rabbitmq.sh start >"$rabbitmq_env" &
        rabbitmq_pid=$!
    else
        echo "test.sh: RabbitMQ is not available; the RabbitMQ tests will fail under CI=true." >&2
    fi
fi
if [[ -z "${WHARF_TEST_NATS_URL:-}" ]]; then
    own_nats=true
    unset WHARF_TEST_NATS_DIR
    wharf_nats_install || echo "test.sh: nats-server is not available; the NATS tests will fail under CI=true." >&2
fi

if [[ -z "${WHARF_TEST_S3_ENDPOINT:-}" ]]; then
    own_moto=true
    unset WHARF_TEST_MOTO_DIR
    wharf_moto_install || echo "test.sh: moto is not available; the S3 tests will fail under CI=true." >&2
fi
if [[ -z "${WHARF_TEST_SFTP_HOST:-}" ]]; then
    own_sshd=true
    unset WHARF_TEST_SSHD_DIR
    wharf_sshd_install || echo "test.sh: OpenSSH's server is not available; the SFTP tests will fail under CI=true." >&2
fi

echo "== build"
dotnet build Wharf.slnx -c Release --nologo -v quiet

echo "== postgres, mariadb, rabbitmq, nats, moto, sshd"
moto_env=""
moto_pid=""
if [[ "$own_moto" == true ]]; then
    moto_env=$(mktemp /tmp/wharf-moto-env.XXXXXX)
    scripts/moto.sh start >"$moto_env" &
    moto_pid=$!
fi
sshd_env=""
sshd_pid=""
if [[ "$own_sshd" == true ]]; then
    sshd_env=$(mktemp /tmp/wharf-sshd-env.XXXXXX)
    scripts/sshd.sh start >"$sshd_env" &
    sshd_pid=$!
fi
mariadb_env=""
mariadb_pid=""
nats_env=""
nats_pid=""
if [[ "$own_nats" == true ]] && [[ -n "$(wharf_find nats-server)" ]]; then
    nats_env=$(mktemp /tmp/wharf-nats-env.XXXXXX)
    scripts/nats.sh start >"$nats_env" &
    nats_pid=$!
fi
if [[ "$own_mariadb" == true ]]; then
    # In the background, beside PostgreSQL; its export lines come back through a file.
    mariadb_env=$(mktemp /tmp/wharf-mariadb-env.XXXXXX)
    scripts/mariadb.sh start >"$mariadb_env" &
    mariadb_pid=$!
fi
if [[ "$own_server" == true ]]; then
    wharf_pg_start
else
    echo "using the server in WHARF_TEST_POSTGRES"
fi
if [[ -n "$mariadb_pid" ]]; then
    if wait "$mariadb_pid"; then
        # shellcheck disable=SC1090
        source "$mariadb_env"
        mariadb_dir=$WHARF_TEST_MYSQL_DIR
    else
        # A half-started server's folder: scripts/mariadb.sh removed it already.
        echo "test.sh: MariaDB did not start; the MySQL source tests will fail under CI=true." >&2
    fi
    rm -f "$mariadb_env"
else
    echo "using the server in WHARF_TEST_MYSQL_URL"
fi
if [[ -n "$nats_pid" ]]; then
    if wait "$nats_pid"; then
        # shellcheck disable=SC1090
        source "$nats_env"
        nats_dir=$WHARF_TEST_NATS_DIR
    else
        echo "test.sh: NATS did not start; the NATS tests will fail under CI=true." >&2
    fi
    rm -f "$nats_env"
fi
if [[ -n "$rabbitmq_pid" ]]; then
    # Bounded: scripts/rabbitmq.sh gives up after WHARF_TEST_RABBITMQ_TIMEOUT seconds.
    if wait "$rabbitmq_pid"; then
        # shellcheck disable=SC1090
        source "$rabbitmq_env"
        rabbitmq_dir=$WHARF_TEST_RABBITMQ_DIR
    else
        echo "test.sh: RabbitMQ did not start; the RabbitMQ tests will fail under CI=true." >&2
    fi
    rabbitmq_pid=""
    rm -f "$rabbitmq_env"
fi
if [[ -n "$moto_pid" ]]; then
    if wait "$moto_pid"; then
        # shellcheck disable=SC1090
        source "$moto_env"
        moto_dir=$WHARF_TEST_MOTO_DIR
    else
        echo "test.sh: moto did not start; the S3 tests will fail under CI=true." >&2
    fi
    rm -f "$moto_env"
fi
if [[ -n "$sshd_pid" ]]; then
    if wait "$sshd_pid"; then
        # shellcheck disable=SC1090
        source "$sshd_env"
        sshd_dir=$WHARF_TEST_SSHD_DIR
    else
        echo "test.sh: sshd did not start; the SFTP tests will fail under CI=true." >&2
    fi
    rm -f "$sshd_env"
fi

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
