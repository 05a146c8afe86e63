#!/usr/bin/env bash
# A throwaway WebDAV server for the tests: Debian's Apache (apache2) with mod_dav and mod_dav_fs,
# a configuration, folder, lock database and logs of its own in a temp folder, on a free port of
# 127.0.0.1, run in the foreground as a non-root user (www-data, or wharf-dav). /dav/ needs basic
# auth (user `wharf`, password `wharf`, in an htpasswd file); the tests put and list their files
# over WebDAV itself, so the server's user owns everything in its folder.
#
# Sourced (what scripts/test.sh does):
#   source scripts/webdav.sh
#   wharf_webdav_start   # exports WHARF_TEST_WEBDAV_URL (http://127.0.0.1:PORT/dav/), _USER, _PASSWORD and _DIR
#   wharf_webdav_stop    # stops the server, then removes the temp folder
# Called:
#   eval "$(scripts/webdav.sh start)"   # prints the export lines on standard output
#   scripts/webdav.sh stop [DIR]        # DIR defaults to $WHARF_TEST_WEBDAV_DIR
#   scripts/webdav.sh install           # installs Debian's apache2 and apache2-utils if missing (as root)

source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_wharf_webdav_say() { echo "webdav.sh: $*" >&2; }

wharf_webdav_install() {
    if [[ -x /usr/sbin/apache2 && -f /usr/lib/apache2/modules/mod_dav_fs.so ]] && command -v htpasswd >/dev/null; then
        return 0
    fi
    _wharf_webdav_say "Apache is not installed: installing Debian's apache2 and apache2-utils packages (apt-get)..."
    wharf_apt_install webdav.sh apache2 apache2-utils || return 1
    [[ -x /usr/sbin/apache2 ]] || { _wharf_webdav_say "apache2 was not found after installing it."; return 1; }
}

wharf_webdav_start() {
    local started user dir port pid attempt modules=/usr/lib/apache2/modules module
    started=$(wharf_now_ms)
    wharf_webdav_install || return 1
    user=$(wharf_server_user www-data wharf-dav) || return 1
    dir=$(mktemp -d /tmp/wharf-webdav.XXXXXX) || return 1
    export WHARF_TEST_WEBDAV_DIR=$dir
    chmod 755 "$dir"
    mkdir -p "$dir/files" "$dir/logs" "$dir/lock"
    htpasswd -b -c "$dir/htpasswd" wharf wharf 2>/dev/null || { wharf_webdav_stop; return 1; }
    [[ -z "$user" ]] || chown -R "$user:" "$dir"

    for attempt in 1 2 3 4 5; do
        port=$(wharf_free_port 30000 32000) || { wharf_webdav_stop; return 1; }
        {
            for module in mpm_event authn_core authn_file authz_core authz_user auth_basic dav dav_fs dav_lock mime dir alias; do
                echo "LoadModule ${module}_module $modules/mod_${module}.so"
            done
            cat <<CONFIG
ServerRoot $dir
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $dir/apache2.pid
ErrorLog $dir/logs/error.log
LogLevel warn
DavLockDB $dir/lock/davlock
TypesConfig /etc/mime.types
Timeout 30
Alias /dav $dir/files
<Directory $dir/files>
    Dav On
    AuthType Basic
    AuthName "wharf tests"
    AuthUserFile $dir/htpasswd
    Require valid-user
</Directory>
CONFIG
        } >"$dir/apache2.conf"
        [[ -z "$user" ]] || chown "$user:" "$dir/apache2.conf"
        wharf_as "$user" "$dir" /usr/sbin/apache2 -f "$dir/apache2.conf" -DFOREGROUND </dev/null >"$dir/logs/server.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/launcher.pid"
        for _ in $(seq 1 100); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                break 2
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        wharf_stop_pids 20 "$dir/launcher.pid"
        if grep -qi 'address already in use' "$dir/logs/error.log" "$dir/logs/server.log" 2>/dev/null; then
            _wharf_webdav_say "port $port was taken; trying another."
            port=""
            continue
        fi
        _wharf_webdav_say "the server did not start; its logs ($dir/logs):"
        tail -n 30 "$dir/logs/server.log" "$dir/logs/error.log" >&2 2>/dev/null
        wharf_webdav_stop
        return 1
    done
    if [[ -z "$port" ]]; then
        _wharf_webdav_say "the server could not bind a port after 5 tries."
        wharf_webdav_stop
        return 1
    fi
    export WHARF_TEST_WEBDAV_URL="http://127.0.0.1:$port/dav/" WHARF_TEST_WEBDAV_USER=wharf WHARF_TEST_WEBDAV_PASSWORD=wharf
    _wharf_webdav_say "WebDAV (Apache mod_dav) ready on 127.0.0.1:$port as OS user ${user:-$(id -un)} in $(wharf_elapsed "$started")s (files in $dir/files)"
}

# Stops the server started by wharf_webdav_start (or the one of folder $1) and removes its folder.
wharf_webdav_stop() {
    local dir=${1:-${WHARF_TEST_WEBDAV_DIR:-}}
    [[ -n "$dir" && -d "$dir" ]] || return 0
    wharf_own_dir webdav "$dir" || return 1
    # Apache's parent (its pid file) stops its workers; the launcher's pid is the same process.
    wharf_stop_pids 50 "$dir/apache2.pid" "$dir/launcher.pid"
    wharf_remove_dir "$dir" WHARF_TEST_WEBDAV_DIR
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    wharf_server_cli webdav "WHARF_TEST_WEBDAV_URL WHARF_TEST_WEBDAV_USER WHARF_TEST_WEBDAV_PASSWORD WHARF_TEST_WEBDAV_DIR" "$@"
fi
