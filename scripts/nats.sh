#!/usr/bin/env bash
# A throwaway NATS server with JetStream for the tests: `nats-server -js -sd DIR` on a free port of
# 127.0.0.1 only, run as a non-root user from a fresh temp folder (its JetStream store, log and pid
# file there), with the user `wharf` (password `wharf`). Nothing here outlives the run.
#
# Sourced:
#   source scripts/nats.sh
#   wharf_nats_start   # exports WHARF_TEST_NATS_URL and WHARF_TEST_NATS_DIR
#   wharf_nats_stop    # stops the server, then removes the temp folder
# Called:
#   eval "$(scripts/nats.sh start)"   # prints the export lines on standard output
#   scripts/nats.sh stop [DIR]        # DIR defaults to $WHARF_TEST_NATS_DIR
#   scripts/nats.sh install           # installs Debian's nats-server if missing (as root)
#
# Progress and errors go to standard error.

source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_wharf_nats_say() { echo "nats.sh: $*" >&2; }

_wharf_nats_missing() {
    cat >&2 <<'EOF'
nats.sh: the tests need a NATS server with JetStream (nats-server 2.2 or later), and none was found.
  Install it:   sudo apt-get update && sudo apt-get install -y nats-server
                (./scripts/test.sh does this by itself when run as root)
  Or use a server you already run (started with -js):
      WHARF_TEST_NATS_URL='nats://user:password@127.0.0.1:4222' ./scripts/test.sh
EOF
}

wharf_nats_install() {
    [[ -n "$(wharf_find nats-server)" ]] && return 0
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        _wharf_nats_say "nats-server is not installed, and it can only be installed as root with apt-get."
        _wharf_nats_missing
        return 1
    fi
    _wharf_nats_say "nats-server is not installed: installing Debian's nats-server package (apt-get)..."
    wharf_apt_install nats.sh nats-server || return 1
    [[ -n "$(wharf_find nats-server)" ]] || { _wharf_nats_missing; return 1; }
}

wharf_nats_start() {
    local started server user dir port attempt pid
    started=$(wharf_now_ms)
    wharf_nats_install || return 1
    server=$(wharf_find nats-server)
    user=$(wharf_server_user nats wharf-nats) || return 1
    dir=$(mktemp -d /tmp/wharf-nats.XXXXXX) || return 1
    export WHARF_TEST_NATS_DIR=$dir
    chmod 755 "$dir"
    mkdir -p "$dir/jetstream"
    # The password in a file the server reads, not on its command line (ps shows that to everyone).
    # max_pending is a quarter of the default 64MB: a client that pulls more than it reads keeps
    # losing deliveries to the server's slow-consumer limit (NatsSourceTests.WideMessages).
    cat >"$dir/nats.conf" <<'EOF'
authorization { user: wharf, password: wharf }
max_pending: 16MB
EOF
    [[ -z "$user" ]] || chown -R "$user:" "$dir"

    for attempt in 1 2 3 4 5; do
        port=$(wharf_free_port 8500 9500) || { wharf_nats_stop; return 1; }
        : >"$dir/server.log"
        [[ -z "$user" ]] || chown "$user:" "$dir/server.log"
        wharf_as "$user" "$dir" "$server" -c "$dir/nats.conf" -a 127.0.0.1 -p "$port" -js -sd "$dir/jetstream" \
            -P "$dir/nats.pid" -l "$dir/server.log" </dev/null >/dev/null 2>&1 &
        pid=$!
        echo "$pid" >"$dir/launcher.pid"
        for _ in $(seq 1 150); do
            # Ready once it logs so (after JetStream has opened its store).
            grep -q 'Server is ready' "$dir/server.log" 2>/dev/null && break 2
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if grep -qi 'address already in use' "$dir/server.log"; then
            _wharf_nats_say "port $port was taken; trying another."
            port=""
            continue
        fi
        _wharf_nats_say "the server did not start; its log ($dir/server.log):"
        tail -n 30 "$dir/server.log" >&2
        wharf_nats_stop
        return 1
    done
    if [[ -z "$port" ]]; then
        _wharf_nats_say "the server could not bind a port after 5 tries."
        wharf_nats_stop
        return 1
    fi

    export WHARF_TEST_NATS_URL="nats://wharf:wharf@127.0.0.1:$port"
    _wharf_nats_say "NATS $("$server" --version 2>/dev/null | awk '{print $NF}') with JetStream ready on 127.0.0.1:$port" \
        "as OS user ${user:-$(id -un)} in $(wharf_elapsed "$started")s (data in $dir)"
}

# Stops the server started by wharf_nats_start (or the one in folder $1) and removes its folder.
wharf_nats_stop() {
    local dir=${1:-${WHARF_TEST_NATS_DIR:-}}
    [[ -n "$dir" && -d "$dir" ]] || return 0
    wharf_own_dir nats "$dir" || return 1
    wharf_stop_pids 50 "$dir/nats.pid" "$dir/launcher.pid"
    wharf_remove_dir "$dir" WHARF_TEST_NATS_DIR
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    wharf_server_cli nats "WHARF_TEST_NATS_URL WHARF_TEST_NATS_DIR" "$@"
fi
