#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: initdb into a fresh temp folder, start it on a free
# port of 127.0.0.1 as a non-root user, create the role `wharf` and the database `wharf_test`.
# Durability is off (fsync, full_page_writes, synchronous_commit): nothing here outlives the run.
#
# Sourced (what scripts/test.sh does):
#   source scripts/postgres.sh
#   wharf_pg_start     # exports WHARF_TEST_POSTGRES, WHARF_TEST_POSTGRES_URL, WHARF_TEST_PG_BIN, WHARF_TEST_PG_DIR
#   wharf_pg_stop      # pg_ctl stop -m immediate, then removes the temp folder
# Called:
#   eval "$(scripts/postgres.sh start)"   # prints the export lines on standard output
#   scripts/postgres.sh stop [DIR]        # DIR defaults to $WHARF_TEST_PG_DIR
#   scripts/postgres.sh bin               # prints the server's bin folder, installing it if needed
# WHARF_TEST_PG_SSL_DIR=DIR (holding server.crt and server.key) starts it with TLS on (the TLS tests).
#
# Finds the newest /usr/lib/postgresql/<version>/bin/initdb (or $WHARF_TEST_PG_BIN); as root on a
# machine without one, installs Debian's `postgresql` package without creating its main cluster.
# Progress and errors go to standard error.

source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_wharf_pg_say() { echo "postgres.sh: $*" >&2; }

# Prints the bin folder of the newest installed server, or nothing.
_wharf_pg_find_bin() {
    if [[ -n "${WHARF_TEST_PG_BIN:-}" && -x "$WHARF_TEST_PG_BIN/initdb" && -x "$WHARF_TEST_PG_BIN/pg_ctl" ]]; then
        echo "$WHARF_TEST_PG_BIN"
        return
    fi
    local best="" best_version=-1 initdb version
    for initdb in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x "$initdb" ]] || continue
        version=${initdb#/usr/lib/postgresql/}
        version=${version%%/*}
        # Versions are whole numbers since 10; "9.6" compares as 9.
        version=${version%%.*}
        [[ "$version" =~ ^[0-9]+$ ]] || continue
        if ((version > best_version)); then
            best_version=$version
            best=${initdb%/initdb}
        fi
    done
    echo "$best"
}

_wharf_pg_missing() {
    cat >&2 <<'EOF'
postgres.sh: the tests need a PostgreSQL server (initdb, pg_ctl, postgres, pg_isready, psql),
and none was found under /usr/lib/postgresql/<version>/bin.
  Install it:   sudo apt-get update && sudo apt-get install -y postgresql
                (./scripts/test.sh does this by itself when run as root)
  Or point at another install:  WHARF_TEST_PG_BIN=/path/to/postgresql/bin ./scripts/test.sh
  Or use a server you already run:
      WHARF_TEST_POSTGRES='Host=127.0.0.1;Port=5432;Username=...;Password=...;Database=...' ./scripts/test.sh
EOF
}

# Installs Debian's server package as root. The main cluster that the package would create on
# port 5432 is switched off first (create_main_cluster = false): the tests make their own.
_wharf_pg_install() {
    _wharf_pg_say "PostgreSQL is not installed: installing Debian's postgresql package (apt-get)..."
    wharf_apt_install postgres.sh postgresql-common || return 1
    local conf=/etc/postgresql-common/createcluster.conf
    if [[ -f "$conf" ]] && ! grep -Eq '^[[:space:]]*create_main_cluster[[:space:]]*=' "$conf"; then
        echo 'create_main_cluster = false' >>"$conf"
    fi
    wharf_apt_install postgres.sh postgresql
}

# Prints the bin folder, installing the server first when that is possible.
wharf_pg_bin() {
    local bin
    bin=$(_wharf_pg_find_bin)
    if [[ -z "$bin" ]]; then
        _wharf_pg_install || { _wharf_pg_missing; return 1; }
        bin=$(_wharf_pg_find_bin)
        [[ -n "$bin" ]] || { _wharf_pg_missing; return 1; }
    fi
    local tool
    for tool in initdb pg_ctl postgres pg_isready psql; do
        if [[ ! -x "$bin/$tool" ]]; then
            _wharf_pg_say "$bin/$tool is missing."
            _wharf_pg_missing
            return 1
        fi
    done
    echo "$bin"
}

wharf_pg_start() {
    local started bin user dir port attempt version
    started=$(wharf_now_ms)
    bin=$(wharf_pg_bin) || return 1
    # initdb and postgres refuse to run as root.
    user=$(wharf_server_user postgres wharf-pg) || return 1
    dir=$(mktemp -d /tmp/wharf-pg.XXXXXX) || return 1
    export WHARF_TEST_PG_DIR=$dir
    mkdir -p "$dir/socket"
    [[ -z "$user" ]] || chown -R "$user:" "$dir"

    if ! wharf_as "$user" "$dir" "$bin/initdb" -D "$dir/data" -U wharf --auth=trust \
        --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
        _wharf_pg_say "initdb failed:"
        cat "$dir/initdb.log" >&2
        wharf_pg_stop
        return 1
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/postgres.sh: a throwaway server for the tests.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
max_connections = 500
fsync = off
full_page_writes = off
synchronous_commit = off
EOF
    # WHARF_TEST_PG_SSL_DIR (a folder with server.crt and server.key): TLS on, with that certificate.
    if [[ -n "${WHARF_TEST_PG_SSL_DIR:-}" ]]; then
        cp "$WHARF_TEST_PG_SSL_DIR/server.crt" "$WHARF_TEST_PG_SSL_DIR/server.key" "$dir/data/"
        chmod 600 "$dir/data/server.key"
        [[ -z "$user" ]] || chown "$user:" "$dir/data/server.crt" "$dir/data/server.key"
        printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >>"$dir/data/postgresql.conf"
    fi

    for attempt in 1 2 3 4 5; do
        port=$(wharf_free_port 20000 32000) || { wharf_pg_stop; return 1; }
        : >"$dir/postgres.log"
        [[ -z "$user" ]] || chown "$user:" "$dir/postgres.log"
        if wharf_as "$user" "$dir" "$bin/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" \
            -o "-p $port" -w -t 60 -s >/dev/null 2>>"$dir/pg_ctl.log"; then
            break
        fi
        if grep -Eqi 'could not bind|address already in use|could not create any TCP/IP sockets' "$dir/postgres.log"; then
            _wharf_pg_say "port $port was taken; trying another."
            port=""
            continue
        fi
        _wharf_pg_say "the server did not start; its log ($dir/postgres.log):"
        tail -n 30 "$dir/postgres.log" "$dir/pg_ctl.log" >&2 2>/dev/null
        wharf_pg_stop
        return 1
    done
    if [[ -z "$port" ]]; then
        _wharf_pg_say "the server could not bind a port after 5 tries."
        wharf_pg_stop
        return 1
    fi

    for attempt in $(seq 1 300); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U wharf -d postgres && break
        if ((attempt == 300)); then
            _wharf_pg_say "the server is not ready after 30 s; its log:"
            tail -n 30 "$dir/postgres.log" >&2
            wharf_pg_stop
            return 1
        fi
        sleep 0.1
    done

    # The role wharf is the bootstrap superuser (initdb -U wharf), with trust authentication.
    if ! "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U wharf -d postgres \
        -c 'CREATE DATABASE wharf_test' >/dev/null 2>"$dir/psql.log"; then
        _wharf_pg_say "could not create the database wharf_test:"
        cat "$dir/psql.log" >&2
        wharf_pg_stop
        return 1
    fi
    version=$("$bin/psql" -X -A -t -h 127.0.0.1 -p "$port" -U wharf -d wharf_test -c 'SHOW server_version' 2>/dev/null) || version=

    export WHARF_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=wharf;Database=wharf_test"
    export WHARF_TEST_POSTGRES_URL="postgres://wharf@127.0.0.1:$port/wharf_test"
    export WHARF_TEST_PG_BIN=$bin
    _wharf_pg_say "PostgreSQL ${version:-?} ready on 127.0.0.1:$port as OS user ${user:-$(id -un)}" \
        "in $(wharf_elapsed "$started")s (data in $dir)"
}

# Stops the server started by wharf_pg_start (or the one in folder $1) and removes its folder.
wharf_pg_stop() {
    local dir=${1:-${WHARF_TEST_PG_DIR:-}}
    [[ -n "$dir" && -d "$dir" ]] || return 0
    case "$dir" in
        /tmp/wharf-pg.*) ;;
        *) _wharf_pg_say "refusing to remove $dir: not a folder made by postgres.sh."; return 1 ;;
    esac
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        local bin=${WHARF_TEST_PG_BIN:-} user="" pid
        [[ -n "$bin" && -x "$bin/pg_ctl" ]] || bin=$(_wharf_pg_find_bin)
        if [[ $(id -u) -eq 0 ]]; then
            user=$(stat -c %U "$dir/data")
            [[ "$user" != root ]] || user=""
        fi
        pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null)
        if [[ -z "$bin" ]] || ! wharf_as "$user" "$dir" "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 -s >/dev/null 2>&1; then
            # pg_ctl is gone or failed: make sure the postmaster does not outlive the folder.
            if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -QUIT "$pid" 2>/dev/null || true
                sleep 1
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    rm -rf "$dir"
    if [[ "$dir" == "${WHARF_TEST_PG_DIR:-}" ]]; then
        unset WHARF_TEST_PG_DIR
    fi
    return 0
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -uo pipefail
    case "${1:-}" in
        start)
            wharf_pg_start || exit 1
            printf 'export WHARF_TEST_POSTGRES=%q\n' "$WHARF_TEST_POSTGRES"
            printf 'export WHARF_TEST_POSTGRES_URL=%q\n' "$WHARF_TEST_POSTGRES_URL"
            printf 'export WHARF_TEST_PG_BIN=%q\n' "$WHARF_TEST_PG_BIN"
            printf 'export WHARF_TEST_PG_DIR=%q\n' "$WHARF_TEST_PG_DIR"
            ;;
        stop) wharf_pg_stop "${2:-}" ;;
        bin) wharf_pg_bin ;;
        *)
            echo "usage: $0 start | stop [DIR] | bin" >&2
            exit 2
            ;;
    esac
fi
