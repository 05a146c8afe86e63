#!/usr/bin/env bash
# A throwaway SFTP server for the tests: Debian's OpenSSH sshd with a config, host key, client key
# and folder of its own in a temp folder, on a free port of 127.0.0.1 (-D -e -f config). As root
# (CI), sshd runs as root, as it must to check passwords, and its one user, the system user
# wharf-sftp, logs in by key or by a password made for this start. Otherwise sshd runs as
# ourselves, the only user that can log in, by key only (a non-root sshd cannot check passwords).
# The client key, the password, the known_hosts line and the served folder are for the tests.
#
# Sourced (what scripts/test.sh does):
#   source scripts/sshd.sh
#   wharf_sshd_start   # exports WHARF_TEST_SFTP_* (below) and WHARF_TEST_SSHD_DIR
#   wharf_sshd_stop    # stops the server, then removes the temp folder
# Called:
#   eval "$(scripts/sshd.sh start)"   # prints the export lines on standard output
#   scripts/sshd.sh stop [DIR]        # DIR defaults to $WHARF_TEST_SSHD_DIR
#   scripts/sshd.sh install           # installs Debian's openssh-server if missing (as root)
#
# Exports: WHARF_TEST_SFTP_HOST (127.0.0.1), WHARF_TEST_SFTP_PORT, WHARF_TEST_SFTP_USER,
# WHARF_TEST_SFTP_KEY (the client's private key), WHARF_TEST_SFTP_KNOWN_HOSTS (a known_hosts file
# with the server's key), WHARF_TEST_SFTP_ROOT (a folder the user may write; tests make theirs in it),
# WHARF_TEST_SFTP_PASSWORD (the user's password; only when started as root).

source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_wharf_sshd_say() { echo "sshd.sh: $*" >&2; }

_wharf_sshd_bin() { wharf_find sshd; }

wharf_sshd_install() {
    if [[ -n "$(_wharf_sshd_bin)" ]] && command -v ssh-keygen >/dev/null; then
        return 0
    fi
    _wharf_sshd_say "OpenSSH's server is not installed: installing Debian's openssh-server package (apt-get)..."
    wharf_apt_install sshd.sh openssh-server || return 1
    [[ -n "$(_wharf_sshd_bin)" ]] || { _wharf_sshd_say "sshd was not found after installing openssh-server."; return 1; }
}

wharf_sshd_start() {
    local started sshd user login dir port pid attempt password="" passwords=no
    started=$(wharf_now_ms)
    wharf_sshd_install || return 1
    sshd=$(_wharf_sshd_bin)
    user=$(wharf_server_user "" wharf-sftp) || return 1
    login=${user:-$(id -un)}
    dir=$(mktemp -d /tmp/wharf-sshd.XXXXXX) || return 1
    export WHARF_TEST_SSHD_DIR=$dir
    chmod 755 "$dir"
    mkdir -p "$dir/files"
    ssh-keygen -q -t ed25519 -N '' -C wharf-test-host -f "$dir/host_key" || { wharf_sshd_stop; return 1; }
    ssh-keygen -q -t ed25519 -N '' -C wharf-test-client -f "$dir/client_key" || { wharf_sshd_stop; return 1; }
    cp "$dir/client_key.pub" "$dir/authorized_keys"
    [[ -z "$user" ]] || chown -R "$user:" "$dir"
    # The client key is the test's: readable by whoever runs the tests, not by the server's user.
    [[ -z "$user" ]] || chown "$(id -u):$(id -g)" "$dir/client_key"
    chmod 600 "$dir/client_key" "$dir/host_key"
    if [[ -n "$user" ]]; then
        # Root: sshd stays root (its privilege separation needs /run/sshd) and checks a password.
        password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
        echo "$user:$password" | chpasswd || { _wharf_sshd_say "could not set the password of $user (chpasswd)."; wharf_sshd_stop; return 1; }
        mkdir -p /run/sshd && chmod 755 /run/sshd
        chown root: "$dir/host_key"
        passwords=yes
    fi

    for attempt in 1 2 3 4 5; do
        port=$(wharf_free_port 25000 30000) || { wharf_sshd_stop; return 1; }
        cat >"$dir/sshd_config" <<CONFIG
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $login
PubkeyAuthentication yes
PasswordAuthentication $passwords
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
CONFIG
        "$sshd" -D -e -f "$dir/sshd_config" </dev/null >"$dir/sshd.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/launcher.pid"
        for _ in $(seq 1 100); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                break 2
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -TERM "$pid" 2>/dev/null || true
        if grep -qi 'address already in use' "$dir/sshd.log"; then
            _wharf_sshd_say "port $port was taken; trying another."
            port=""
            continue
        fi
        _wharf_sshd_say "sshd did not start; its log ($dir/sshd.log):"
        tail -n 30 "$dir/sshd.log" >&2
        wharf_sshd_stop
        return 1
    done
    if [[ -z "$port" ]]; then
        _wharf_sshd_say "sshd could not bind a port after 5 tries."
        wharf_sshd_stop
        return 1
    fi
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
    export WHARF_TEST_SFTP_HOST=127.0.0.1 WHARF_TEST_SFTP_PORT=$port WHARF_TEST_SFTP_USER=$login
    export WHARF_TEST_SFTP_KEY=$dir/client_key WHARF_TEST_SFTP_KNOWN_HOSTS=$dir/known_hosts WHARF_TEST_SFTP_ROOT=$dir/files
    export WHARF_TEST_SFTP_PASSWORD=$password
    _wharf_sshd_say "sshd ready on 127.0.0.1:$port for $login in $(wharf_elapsed "$started")s (in $dir)"
}

# Stops the server started by wharf_sshd_start (or the one of folder $1) and removes its folder.
wharf_sshd_stop() {
    local dir=${1:-${WHARF_TEST_SSHD_DIR:-}}
    [[ -n "$dir" && -d "$dir" ]] || return 0
    wharf_own_dir sshd "$dir" || return 1
    wharf_stop_pids 20 "$dir/sshd.pid" "$dir/launcher.pid"
    wharf_remove_dir "$dir" WHARF_TEST_SSHD_DIR
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    wharf_server_cli sshd "WHARF_TEST_SFTP_HOST WHARF_TEST_SFTP_PORT WHARF_TEST_SFTP_USER WHARF_TEST_SFTP_KEY WHARF_TEST_SFTP_KNOWN_HOSTS WHARF_TEST_SFTP_ROOT WHARF_TEST_SFTP_PASSWORD WHARF_TEST_SSHD_DIR" "$@"
fi
