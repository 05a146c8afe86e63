#!/usr/bin/env bash
# A throwaway S3 server for the tests: moto's server (`moto_server`, Python), in memory, on a free
# port of 127.0.0.1. The tests make their buckets and objects with the AWS SDK; any access key is
# accepted. moto runs as the calling user: it lives in that user's Python (pyenv under /root here),
# which another user could not run; it keeps nothing on disk but its log.
#
# Sourced (what scripts/test.sh does):
#   source scripts/moto.sh
#   wharf_moto_start   # exports WHARF_TEST_S3_ENDPOINT and WHARF_TEST_MOTO_DIR
#   wharf_moto_stop    # stops the server, then removes its folder
# Called:
#   eval "$(scripts/moto.sh start)"   # prints the export lines on standard output
#   scripts/moto.sh stop [DIR]        # DIR defaults to $WHARF_TEST_MOTO_DIR
#   scripts/moto.sh install           # pip-installs moto[server] when missing

source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_wharf_moto_say() { echo "moto.sh: $*" >&2; }

_wharf_moto_bin() { wharf_find moto_server; }

wharf_moto_install() {
    [[ -n "$(_wharf_moto_bin)" ]] && return 0
    if command -v pip3 >/dev/null || command -v pip >/dev/null; then
        _wharf_moto_say "moto_server is not installed: installing moto[server] (pip)..."
        "$(command -v pip3 || command -v pip)" install -q 'moto[server]' >&2 || true
        command -v pyenv >/dev/null && pyenv rehash >/dev/null 2>&1
    fi
    [[ -n "$(_wharf_moto_bin)" ]] || {
        _wharf_moto_say "moto_server was not found; install it with: pip install 'moto[server]'"
        return 1
    }
}

wharf_moto_start() {
    local started bin dir port pid attempt
    started=$(wharf_now_ms)
    wharf_moto_install || return 1
    bin=$(_wharf_moto_bin)
    dir=$(mktemp -d /tmp/wharf-moto.XXXXXX) || return 1
    export WHARF_TEST_MOTO_DIR=$dir
    for attempt in 1 2 3 4 5; do
        port=$(wharf_free_port 20000 25000) || { wharf_moto_stop; return 1; }
        "$bin" -H 127.0.0.1 -p "$port" </dev/null >"$dir/moto.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/moto.pid"
        for _ in $(seq 1 300); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                break 2
            fi
            if ! kill -0 "$pid" 2>/dev/null; then
                break
            fi
            sleep 0.1
        done
        kill -TERM "$pid" 2>/dev/null || true
        if grep -qi 'address already in use' "$dir/moto.log"; then
            _wharf_moto_say "port $port was taken; trying another."
            port=""
            continue
        fi
        _wharf_moto_say "the server did not start; its log ($dir/moto.log):"
        tail -n 30 "$dir/moto.log" >&2
        wharf_moto_stop
        return 1
    done
    if [[ -z "$port" ]]; then
        _wharf_moto_say "the server could not bind a port after 5 tries."
        wharf_moto_stop
        return 1
    fi
    export WHARF_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
    _wharf_moto_say "moto S3 ready on 127.0.0.1:$port in $(wharf_elapsed "$started")s (log in $dir)"
}

# Stops the server started by wharf_moto_start (or the one of folder $1) and removes its folder.
wharf_moto_stop() {
    local dir=${1:-${WHARF_TEST_MOTO_DIR:-}}
    [[ -n "$dir" && -d "$dir" ]] || return 0
    wharf_own_dir moto "$dir" || return 1
    wharf_stop_pids 50 "$dir/moto.pid"
    wharf_remove_dir "$dir" WHARF_TEST_MOTO_DIR
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    wharf_server_cli moto "WHARF_TEST_S3_ENDPOINT WHARF_TEST_MOTO_DIR" "$@"
fi
