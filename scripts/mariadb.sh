#!/usr/bin/env bash
# A throwaway MariaDB server for the tests: mariadb-install-db into a fresh temp folder, start it
# on a free port of 127.0.0.1 as a non-root user, create the user `wharf` (password `wharf`, every
# privilege) and the database `wharf_test`. Clients connect by TCP; the server's unix socket lives
# in the temp folder and nothing needs it. Durability is off: nothing here outlives the run. TLS is
# off too (--skip-ssl, as MariaDB 10.x has it; 11.4+ would turn it on), so the tests know what a
# `ssl_mode: required` client meets.
#
# Sourced (what scripts/test.sh does):
#   source scripts/mariadb.sh
#   wharf_mariadb_start   # exports WHARF_TEST_MYSQL_URL and WHARF_TEST_MYSQL_DIR
#   wharf_mariadb_stop    # stops the server, then removes the temp folder
# Called:
#   eval "$(scripts/mariadb.sh start)"   # prints the export lines on standard output
#   scripts/mariadb.sh stop [DIR]        # DIR defaults to $WHARF_TEST_MYSQL_DIR
#   scripts/mariadb.sh install           # installs Debian's mariadb-server if missing (as root)
#
# As root on a machine without the server, installs Debian's `mariadb-server` package without
# letting it start the system's own server (policy-rc.d). Progress and errors go to standard error.

_wharf_my_say() { echo "mariadb.sh: $*" >&2; }

_wharf_my_now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    echo $((t / 1000))
}

# The first of the names given that is installed (PATH, /usr/sbin, /usr/bin), or nothing.
_wharf_my_find() {
    local name dir
    for name in "$@"; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return
        fi
        for dir in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
            [[ -x "$dir/$name" ]] && { echo "$dir/$name"; return; }
        done
    done
}

_wharf_my_server() { _wharf_my_find mariadbd mysqld; }
_wharf_my_install_db() { _wharf_my_find mariadb-install-db mysql_install_db; }
_wharf_my_client() { _wharf_my_find mariadb mysql; }

_wharf_my_missing() {
    cat >&2 <<'EOF'
mariadb.sh: the tests need a MariaDB (or MySQL) server (mariadbd, mariadb-install-db, mariadb),
and none was found.
  Install it:   sudo apt-get update && sudo apt-get install -y mariadb-server
                (./scripts/test.sh does this by itself when run as root)
  Or use a server you already run:
      WHARF_TEST_MYSQL_URL='mysql://user:password@127.0.0.1:3306/wharf_test' ./scripts/test.sh
EOF
}

# Installs Debian's server package as root. Its own server (port 3306, /var/lib/mysql) is kept
# from starting by a policy-rc.d that refuses every service start, removed again afterwards.
wharf_mariadb_install() {
    if [[ -n "$(_wharf_my_server)" && -n "$(_wharf_my_install_db)" && -n "$(_wharf_my_client)" ]]; then
        return 0
    fi
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        _wharf_my_say "MariaDB is not installed, and it can only be installed as root with apt-get."
        _wharf_my_missing
        return 1
    fi
    _wharf_my_say "MariaDB is not installed: installing Debian's mariadb-server package (apt-get)..."
    local log rc=0 policy=/usr/sbin/policy-rc.d own_policy=false
    log=$(mktemp /tmp/wharf-mariadb-install.XXXXXX.log)
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=true
    fi
    {
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=600 update -q &&
            apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends mariadb-server mariadb-client
    } >"$log" 2>&1 || rc=$?
    [[ "$own_policy" == true ]] && rm -f "$policy"
    if ((rc != 0)); then
        _wharf_my_say "apt-get failed (exit $rc); the last lines of its output:"
        tail -n 25 "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    [[ -n "$(_wharf_my_server)" ]] || { _wharf_my_missing; return 1; }
}

# The OS user that runs the server: mariadbd does not run as root.
_wharf_my_server_user() {
    if [[ $(id -u) -ne 0 ]]; then
        return 0 # ourselves
    fi
    if id -u mysql >/dev/null 2>&1; then
        echo mysql
        return 0
    fi
    if ! id -u wharf-db >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin wharf-db >&2 ||
            { _wharf_my_say "could not create the system user wharf-db (useradd)."; return 1; }
    fi
    echo wharf-db
}

# Runs a command as user $1 (empty: ourselves) from folder $2.
_wharf_my_as() {
    local user=$1 dir=$2
    shift 2
    (
        cd "$dir" || exit 1
        if [[ -z "$user" ]]; then
            exec "$@"
        elif command -v runuser >/dev/null; then
            exec runuser -u "$user" -- "$@"
        else
            exec setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
        fi
    )
}

_wharf_my_free_port() {
    local port attempt
    for attempt in $(seq 1 200); do
        # Below Linux's ephemeral range, apart from postgres.sh's 20000-32000 to make clashes rarer.
        port=$((10000 + (RANDOM % 10000)))
        if command -v ss >/dev/null; then
            [[ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ]] && { echo "$port"; return 0; }
        elif ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    _wharf_my_say "found no free port between 10000 and 20000."
    return 1
}

wharf_mariadb_start() {
    local started server install_db client user dir port attempt version pid
    started=$(_wharf_my_now_ms)
    wharf_mariadb_install || return 1
    server=$(_wharf_my_server)
    install_db=$(_wharf_my_install_db)
    client=$(_wharf_my_client)
    user=$(_wharf_my_server_user) || return 1
    dir=$(mktemp -d /tmp/wharf-mariadb.XXXXXX) || return 1
    export WHARF_TEST_MYSQL_DIR=$dir
    chmod 755 "$dir"
    [[ -z "$user" ]] || chown -R "$user:" "$dir"

    # --no-defaults: the system's /etc/mysql settings (socket and pid under /run/mysqld) are not ours.
    if ! _wharf_my_as "$user" "$dir" "$install_db" --no-defaults --basedir=/usr --datadir="$dir/data" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
        _wharf_my_say "mariadb-install-db failed:"
        tail -n 30 "$dir/install.log" >&2
        wharf_mariadb_stop
        return 1
    fi
    # Run by the server as it starts, before it takes connections.
    cat >"$dir/init.sql" <<'EOF'
CREATE USER IF NOT EXISTS 'wharf'@'%' IDENTIFIED BY 'wharf';
GRANT ALL PRIVILEGES ON *.* TO 'wharf'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS wharf_test CHARACTER SET utf8mb4;
EOF
    [[ -z "$user" ]] || chown "$user:" "$dir/init.sql"

    for attempt in 1 2 3 4 5; do
        port=$(_wharf_my_free_port) || { wharf_mariadb_stop; return 1; }
        : >"$dir/error.log"
        [[ -z "$user" ]] || chown "$user:" "$dir/error.log"
        _wharf_my_as "$user" "$dir" "$server" --no-defaults --basedir=/usr --datadir="$dir/data" \
            --bind-address=127.0.0.1 --port="$port" --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
            --log-error="$dir/error.log" --skip-name-resolve --init-file="$dir/init.sql" \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --max-connections=500 \
            --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-buffer-pool-size=256M \
            --skip-log-bin --skip-ssl </dev/null >/dev/null 2>&1 &
        pid=$!
        echo "$pid" >"$dir/launcher.pid"
        for _ in $(seq 1 600); do
            if "$client" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$port" -u wharf -pwharf -N -B \
                -e 'SELECT 1' wharf_test >/dev/null 2>&1; then
                break 2
            fi
            if ! kill -0 "$pid" 2>/dev/null; then
                break
            fi
            sleep 0.1
        done
        if grep -Eqi 'address already in use|do you already have another' "$dir/error.log"; then
            _wharf_my_say "port $port was taken; trying another."
            port=""
            continue
        fi
        _wharf_my_say "the server did not start; its log ($dir/error.log):"
        tail -n 30 "$dir/error.log" >&2
        wharf_mariadb_stop
        return 1
    done
    if [[ -z "$port" ]]; then
        _wharf_my_say "the server could not bind a port after 5 tries."
        wharf_mariadb_stop
        return 1
    fi

    version=$("$client" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$port" -u wharf -pwharf -N -B -e 'SELECT VERSION()' 2>/dev/null) || version=
    export WHARF_TEST_MYSQL_URL="mysql://wharf:wharf@127.0.0.1:$port/wharf_test"
    local elapsed=$(($(_wharf_my_now_ms) - started))
    _wharf_my_say "MariaDB ${version:-?} ready on 127.0.0.1:$port as OS user ${user:-$(id -un)}" \
        "in $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)))s (data in $dir)"
}

# Stops the server started by wharf_mariadb_start (or the one in folder $1) and removes its folder.
wharf_mariadb_stop() {
    local dir=${1:-${WHARF_TEST_MYSQL_DIR:-}} pid
    [[ -n "$dir" && -d "$dir" ]] || return 0
    case "$dir" in
        /tmp/wharf-mariadb.*) ;;
        *) _wharf_my_say "refusing to remove $dir: not a folder made by mariadb.sh."; return 1 ;;
    esac
    pid=$(cat "$dir/mysqld.pid" 2>/dev/null)
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    if [[ "$dir" == "${WHARF_TEST_MYSQL_DIR:-}" ]]; then
        unset WHARF_TEST_MYSQL_DIR
    fi
    return 0
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -uo pipefail
    case "${1:-}" in
        start)
            wharf_mariadb_start || exit 1
            printf 'export WHARF_TEST_MYSQL_URL=%q\n' "$WHARF_TEST_MYSQL_URL"
            printf 'export WHARF_TEST_MYSQL_DIR=%q\n' "$WHARF_TEST_MYSQL_DIR"
            ;;
        stop) wharf_mariadb_stop "${2:-}" ;;
        install) wharf_mariadb_install ;;
        *)
            echo "usage: $0 start | stop [DIR] | install" >&2
            exit 2
            ;;
    esac
fi
