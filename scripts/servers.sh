#!/usr/bin/env bash
# What every throwaway test server script shares (postgres.sh, mariadb.sh, …): sourced by them,
# never run on its own. Each server runs as a non-root user, from its own temp folder, on a free
# port of 127.0.0.1, and is installed from Debian's packages when missing (as root).

# Milliseconds since the epoch, for "ready in 1.234s".
wharf_now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    echo $((t / 1000))
}

# Prints how long ago $1 (from wharf_now_ms) was, as seconds with milliseconds: 1.234
wharf_elapsed() {
    local elapsed=$(($(wharf_now_ms) - $1))
    echo "$((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)))"
}

# The first of the names given that is installed (PATH, /usr/sbin, /usr/bin, /usr/local/…), or nothing.
wharf_find() {
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

# The OS user a server runs as. Not root: ourselves when we are not root; as root, the package's
# own user $1 when it exists, else a system user $2 made here (no home, no shell).
wharf_server_user() {
    local package_user=$1 own_user=$2
    if [[ $(id -u) -ne 0 ]]; then
        return 0 # ourselves
    fi
    if [[ -n "$package_user" ]] && id -u "$package_user" >/dev/null 2>&1; then
        echo "$package_user"
        return 0
    fi
    if ! id -u "$own_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$own_user" >&2 ||
            { echo "servers.sh: could not create the system user $own_user (useradd)." >&2; return 1; }
    fi
    echo "$own_user"
}

# Runs a command as user $1 (empty: ourselves) from folder $2 (the user may not be able to read
# the caller's working folder).
wharf_as() {
    local user=$1 dir=$2
    shift 2
    (
        cd "$dir" || exit 1
        if [[ -z "$user" ]]; then
            exec "$@"
        elif command -v runuser >/dev/null; then
            exec runuser -u "$user" -- "$@"
        elif command -v setpriv >/dev/null; then
            exec setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
        else
            exec su -s /bin/bash "$user" -c "$(printf '%q ' "$@")"
        fi
    )
}

# True when nothing listens on 127.0.0.1:$1 (as far as we can tell: a start retries anyway).
wharf_port_free() {
    local port=$1
    if command -v ss >/dev/null; then
        [[ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ]]
        return
    fi
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# A free port in [$1, $2). Each server script takes its own range, below Linux's ephemeral ports
# (32768+, where outgoing connections take theirs), so that servers started together rarely clash.
wharf_free_port() {
    local low=$1 high=$2 port attempt
    for attempt in $(seq 1 200); do
        port=$((low + (RANDOM % (high - low))))
        if wharf_port_free "$port"; then
            echo "$port"
            return 0
        fi
    done
    echo "servers.sh: found no free port between $low and $high." >&2
    return 1
}

# Installs Debian packages as root, quietly, with the output's tail on failure. $1 names the
# caller in messages; the rest are apt-get arguments (packages). Services the packages would start
# (a system-wide server on its default port) are kept from starting by a policy-rc.d that refuses
# every start, removed again afterwards. Waits up to 10 minutes for another apt-get (the test
# servers are installed in parallel).
wharf_apt_install() {
    local who=$1
    shift
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        echo "$who: $* can only be installed as root with apt-get." >&2
        return 1
    fi
    local log rc=0 policy=/usr/sbin/policy-rc.d own_policy=false
    log=$(mktemp /tmp/wharf-apt.XXXXXX.log)
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=true
    fi
    {
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=600 update -q &&
            apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "$@"
    } >"$log" 2>&1 || rc=$?
    [[ "$own_policy" == true ]] && rm -f "$policy"
    if ((rc != 0)); then
        echo "$who: apt-get install $* failed (exit $rc); the last lines of its output:" >&2
        tail -n 25 "$log" >&2
    fi
    rm -f "$log"
    return "$rc"
}

# Stops the processes whose pids are in the files $2… (missing files are skipped): TERM, up to $1
# tenths of a second to exit, then KILL.
wharf_stop_pids() {
    local tenths=$1 file pid
    shift
    for file in "$@"; do
        # One file at a time: a pid file may lack its last newline.
        pid=$(cat "$file" 2>/dev/null)
        [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || continue
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 "$tenths"); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

# True when $2 is a folder that scripts/$1.sh made (/tmp/wharf-$1.*): a stop removes nothing else.
wharf_own_dir() {
    local name=$1 dir=$2
    [[ "$dir" == /tmp/wharf-"$name".* ]] && return 0
    echo "$name.sh: refusing to remove $dir: not a folder made by $name.sh." >&2
    return 1
}

# Removes a server's folder $1, and unsets the variable named $2 when it names that folder.
wharf_remove_dir() {
    rm -rf "$1"
    if [[ "$1" == "${!2:-}" ]]; then
        unset "$2"
    fi
    return 0
}

# The command line of scripts/$1.sh: `start` (prints an export line for each variable named in $2),
# `stop [DIR]` and `install`, calling wharf_$1_start, wharf_$1_stop and wharf_$1_install.
wharf_server_cli() {
    local name=$1 variables=$2 variable
    shift 2
    set -uo pipefail
    case "${1:-}" in
        start)
            "wharf_${name}_start" || exit 1
            for variable in $variables; do
                printf 'export %s=%q\n' "$variable" "${!variable}"
            done
            ;;
        stop) "wharf_${name}_stop" "${2:-}" ;;
        install) "wharf_${name}_install" ;;
        *)
            echo "usage: $0 start | stop [DIR] | install" >&2
            exit 2
            ;;
    esac
}
