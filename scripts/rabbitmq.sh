#!/usr/bin/env bash
# A throwaway RabbitMQ broker for the tests: a node of its own (name, Erlang cookie, epmd port,
# distribution port, database and logs all in a fresh temp folder), listening for AMQP on a free
# port of 127.0.0.1 only, run as a non-root user, with the user `wharf` (password `wharf`,
# administrator of the default vhost `/`) made on its first boot. Nothing here outlives the run.
#
# RabbitMQ boots slowly (Erlang, a few seconds): scripts/test.sh starts it in the background
# first, and waits for it last, with a bounded timeout (WHARF_TEST_RABBITMQ_TIMEOUT, 90 s).
#
# Sourced:
#   source scripts/rabbitmq.sh
#   wharf_rabbitmq_start   # exports WHARF_TEST_RABBITMQ_URL, _MANAGEMENT_URL (the management API) and _DIR
#   wharf_rabbitmq_stop    # stops the node and its epmd, then removes the temp folder
# Called:
#   eval "$(scripts/rabbitmq.sh start)"   # prints the export lines on standard output
#   scripts/rabbitmq.sh stop [DIR]        # DIR defaults to $WHARF_TEST_RABBITMQ_DIR
#   scripts/rabbitmq.sh install           # installs Debian's rabbitmq-server if missing (as root)
#
# As root on a machine without it, installs Debian's `rabbitmq-server` package without letting it
# start the system's own broker (policy-rc.d). Progress and errors go to standard error.

source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_wharf_mq_say() { echo "rabbitmq.sh: $*" >&2; }

# Debian's /usr/sbin/rabbitmq-server only lets root or the rabbitmq user start it (and then as
# the system's node): the script under /usr/lib/rabbitmq runs the node we configure.
_wharf_mq_server() {
    local candidate
    for candidate in /usr/lib/rabbitmq/bin/rabbitmq-server /usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/rabbitmq-server; do
        [[ -x "$candidate" ]] && { echo "$candidate"; return; }
    done
}

_wharf_mq_missing() {
    cat >&2 <<'EOF'
rabbitmq.sh: the tests need a RabbitMQ broker (rabbitmq-server), and none was found.
  Install it:   sudo apt-get update && sudo apt-get install -y rabbitmq-server
                (./scripts/test.sh does this by itself when run as root)
  Or use a broker you already run:
      WHARF_TEST_RABBITMQ_URL='amqp://user:password@127.0.0.1:5672/' ./scripts/test.sh
EOF
}

wharf_rabbitmq_install() {
    [[ -n "$(_wharf_mq_server)" ]] && return 0
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        _wharf_mq_say "RabbitMQ is not installed, and it can only be installed as root with apt-get."
        _wharf_mq_missing
        return 1
    fi
    _wharf_mq_say "RabbitMQ is not installed: installing Debian's rabbitmq-server package (apt-get)..."
    wharf_apt_install rabbitmq.sh rabbitmq-server || return 1
    [[ -n "$(_wharf_mq_server)" ]] || { _wharf_mq_missing; return 1; }
}

# True once the node accepts AMQP: the listener opens last in RabbitMQ's boot, after the default
# user is made. It answers a protocol header it does not speak (AMQP 0-9-0 here) with its own.
_wharf_mq_ready() {
    local port=$1 reply
    reply=$({ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null && printf 'AMQP\x00\x00\x09\x00' >&3 && timeout 2 head -c 4 <&3) || return 1
    [[ "$reply" == AMQP* ]]
}

wharf_rabbitmq_start() {
    local started server user dir port dist_port epmd_port management_port node pid timeout=${WHARF_TEST_RABBITMQ_TIMEOUT:-90}
    started=$(wharf_now_ms)
    wharf_rabbitmq_install || return 1
    server=$(_wharf_mq_server)
    user=$(wharf_server_user rabbitmq wharf-mq) || return 1
    dir=$(mktemp -d /tmp/wharf-rabbitmq.XXXXXX) || return 1
    export WHARF_TEST_RABBITMQ_DIR=$dir
    chmod 755 "$dir"
    port=$(wharf_free_port 6000 7000) || { wharf_rabbitmq_stop; return 1; }
    dist_port=$(wharf_free_port 7000 8000) || { wharf_rabbitmq_stop; return 1; }
    epmd_port=$(wharf_free_port 8000 8500) || { wharf_rabbitmq_stop; return 1; }
    node="wharf-$port@localhost"
    echo "$epmd_port" >"$dir/epmd.port"
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    : >"$dir/rabbitmq-env.conf"
    management_port=$(wharf_free_port 15000 16000) || { wharf_rabbitmq_stop; return 1; }
    # The management API lists every queue (wharf discover); its counts refresh every half second.
    echo '[rabbitmq_management].' >"$dir/enabled_plugins"
    cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$port
management.tcp.ip = 127.0.0.1
management.tcp.port = $management_port
collect_statistics_interval = 500
default_user = wharf
default_pass = wharf
default_vhost = /
default_user_tags.administrator = true
loopback_users = none
log.console = false
log.file.level = warning
EOF
    [[ -z "$user" ]] || chown -R "$user:" "$dir"

    # Everything the node reads or writes is in $dir; its epmd on a port of its own is stopped with it.
    wharf_as "$user" "$dir" env HOME="$dir/home" ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1 \
        RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_NODENAME="$node" \
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$dist_port" \
        RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
        "$server" </dev/null >"$dir/server.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/launcher.pid"
    for _ in $(seq 1 $((timeout * 5))); do
        _wharf_mq_ready "$port" && break
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.2
    done
    if ! _wharf_mq_ready "$port"; then
        _wharf_mq_say "the broker did not take connections within ${timeout}s; its output ($dir/server.log):"
        tail -n 30 "$dir/server.log" >&2
        tail -n 20 "$dir"/log/*.log >&2 2>/dev/null
        wharf_rabbitmq_stop
        return 1
    fi

    export WHARF_TEST_RABBITMQ_URL="amqp://wharf:wharf@127.0.0.1:$port/"
    export WHARF_TEST_RABBITMQ_MANAGEMENT_URL="http://127.0.0.1:$management_port/"
    _wharf_mq_say "RabbitMQ ready on 127.0.0.1:$port (node $node) as OS user ${user:-$(id -un)}" \
        "in $(wharf_elapsed "$started")s (data in $dir)"
}

# Stops the node started by wharf_rabbitmq_start (or the one in folder $1), its epmd, and removes the folder.
wharf_rabbitmq_stop() {
    local dir=${1:-${WHARF_TEST_RABBITMQ_DIR:-}} epmd_port epmd
    [[ -n "$dir" && -d "$dir" ]] || return 0
    wharf_own_dir rabbitmq "$dir" || return 1
    # The Erlang VM's pid (written once it boots), else the launcher's.
    wharf_stop_pids 100 "$dir/rabbitmq.pid" "$dir/launcher.pid"
    epmd_port=$(cat "$dir/epmd.port" 2>/dev/null)
    epmd=$(wharf_find epmd)
    [[ -z "$epmd" ]] && for epmd in /usr/lib/erlang/erts-*/bin/epmd; do :; done
    if [[ "$epmd_port" =~ ^[0-9]+$ && -x "$epmd" ]]; then
        ERL_EPMD_PORT=$epmd_port "$epmd" -kill >/dev/null 2>&1 || true
    fi
    wharf_remove_dir "$dir" WHARF_TEST_RABBITMQ_DIR
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    wharf_server_cli rabbitmq "WHARF_TEST_RABBITMQ_URL WHARF_TEST_RABBITMQ_MANAGEMENT_URL WHARF_TEST_RABBITMQ_DIR" "$@"
fi
