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

source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_wharf_my_say() { echo "mariadb.sh: $*" >&2; }

_wharf_my_server() { wharf_find mariadbd mysqld; }
_wharf_my_install_db() { wharf_find mariadb-install-db mysql_install_db; }
_wharf_my_client() { wharf_find mariadb mysql; }

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

# Installs Debian's server package as root (its own server on port 3306 is kept from starting).
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
    wharf_apt_install mariadb.sh mariadb-server mariadb-client || return 1
    [[ -n "$(_wharf_my_server)" ]] || { _wharf_my_missing; return 1; }
}

wharf_mariadb_start() {
    local started server install_db client user dir port attempt version pid
    started=$(wharf_now_ms)
    wharf_mariadb_install || return 1
    server=$(_wharf_my_server)
    install_db=$(_wharf_my_install_db)
    client=$(_wharf_my_client)
    # mariadbd does not run as root.
    user=$(wharf_server_user mysql wharf-db) || return 1
    dir=$(mktemp -d /tmp/wharf-mariadb.XXXXXX) || return 1
    export WHARF_TEST_MYSQL_DIR=$dir
    chmod 755 "$dir"
    [[ -z "$user" ]] || chown -R "$user:" "$dir"

    # --no-defaults: the system's /etc/mysql settings (socket and pid under /run/mysqld) are not ours.
    if ! wharf_as "$user" "$dir" "$install_db" --no-defaults --basedir=/usr --datadir="$dir/data" \
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
        port=$(wharf_free_port 10000 20000) || { wharf_mariadb_stop; return 1; }
        : >"$dir/error.log"
        [[ -z "$user" ]] || chown "$user:" "$dir/error.log"
        wharf_as "$user" "$dir" "$server" --no-defaults --basedir=/usr --datadir="$dir/data" \
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
    _wharf_my_say "MariaDB ${version:-?} ready on 127.0.0.1:$port as OS user ${user:-$(id -un)}" \
        "in $(wharf_elapsed "$started")s (data in $dir)"
}

# Stops the server started by wharf_mariadb_start (or the one in folder $1) and removes its folder.
wharf_mariadb_stop() {
    local dir=${1:-${WHARF_TEST_MYSQL_DIR:-}}
    [[ -n "$dir" && -d "$dir" ]] || return 0
    wharf_own_dir mariadb "$dir" || return 1
    wharf_stop_pids 100 "$dir/mysqld.pid"
    wharf_remove_dir "$dir" WHARF_TEST_MYSQL_DIR
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    wharf_server_cli mariadb "WHARF_TEST_MYSQL_URL WHARF_TEST_MYSQL_DIR" "$@"
fi
