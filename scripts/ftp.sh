#!/usr/bin/env bash
# A throwaway FTP/FTPS server for the tests: Debian's vsftpd on free ports of 127.0.0.1 — one
# speaking plain FTP with explicit TLS offered (AUTH TLS), one implicit FTPS, and for the error
# tests one without TLS and one with vsftpd's default require_ssl_reuse=YES — with a
# configuration, certificate, folder and logs of its own in a temp folder. One virtual user
# (`wharf`, a random password) is checked by PAM against a password file of the folder
# (libpam-pwdfile, through a PAM service file /etc/pam.d/wharf-ftp-* that the stop removes), so no
# system account gets a password. vsftpd's listener runs as root, as its design wants (each
# session drops to a user of its own: the virtual user works as the system user wharf-ftp,
# chrooted in the served folder); so this server needs root, which CI has.
#
# Sourced (what scripts/test.sh does):
#   source scripts/ftp.sh
#   wharf_ftp_start   # exports WHARF_TEST_FTP_* (below) and WHARF_TEST_FTP_DIR
#   wharf_ftp_stop    # stops both servers, then removes the temp folder and the PAM file
# Called:
#   eval "$(scripts/ftp.sh start)"   # prints the export lines on standard output
#   scripts/ftp.sh stop [DIR]        # DIR defaults to $WHARF_TEST_FTP_DIR
#   scripts/ftp.sh install           # installs Debian's vsftpd, libpam-pwdfile and openssl if missing (as root)
#
# Exports: WHARF_TEST_FTP_HOST (127.0.0.1), WHARF_TEST_FTP_PORT (plain FTP and explicit TLS),
# WHARF_TEST_FTP_IMPLICIT_PORT (implicit TLS), WHARF_TEST_FTP_NO_TLS_PORT (no TLS offered),
# WHARF_TEST_FTP_REUSE_PORT (TLS session reuse required on data connections), WHARF_TEST_FTP_USER, WHARF_TEST_FTP_PASSWORD,
# WHARF_TEST_FTP_CA (the server's self-signed certificate, for ca_file:), WHARF_TEST_FTP_DIR
# (files/ in it is what the user sees as /; anyone may write there).

source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_wharf_ftp_say() { echo "ftp.sh: $*" >&2; }

_wharf_ftp_pam_module() { compgen -G "/lib/*/security/pam_pwdfile.so" >/dev/null || compgen -G "/usr/lib/*/security/pam_pwdfile.so" >/dev/null; }

wharf_ftp_install() {
    if [[ -x /usr/sbin/vsftpd ]] && _wharf_ftp_pam_module && command -v openssl >/dev/null; then
        return 0
    fi
    _wharf_ftp_say "vsftpd is not installed: installing Debian's vsftpd, libpam-pwdfile and openssl packages (apt-get)..."
    wharf_apt_install ftp.sh vsftpd libpam-pwdfile openssl || return 1
    [[ -x /usr/sbin/vsftpd ]] || { _wharf_ftp_say "vsftpd was not found after installing it."; return 1; }
}

# Writes the configuration of one instance: $1 folder, $2 name, $3 port, $4 implicit TLS (YES/NO), $5 user, $6 PAM service,
# $7 TLS at all (YES/NO), $8 require_ssl_reuse (YES/NO).
_wharf_ftp_config() {
    local dir=$1 name=$2 port=$3 implicit=$4 user=$5 pam=$6 tls=$7 reuse=$8
    cat >"$dir/$name.conf" <<CONFIG
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
guest_enable=YES
guest_username=$user
nopriv_user=$user
virtual_use_local_privs=YES
write_enable=YES
local_umask=000
local_root=$dir/files
chroot_local_user=YES
allow_writeable_chroot=YES
pam_service_name=$pam
secure_chroot_dir=$dir/empty
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
utf8_filesystem=YES
pasv_enable=YES
vsftpd_log_file=$dir/logs/$name.log
ssl_enable=$tls
implicit_ssl=$implicit
rsa_cert_file=$dir/cert.pem
rsa_private_key_file=$dir/key.pem
ssl_ciphers=HIGH
force_local_logins_ssl=NO
force_local_data_ssl=NO
require_ssl_reuse=$reuse
CONFIG
}

# Starts one instance on a free port; prints the port. $1 folder, $2 name, then _wharf_ftp_config's $4 to $8.
_wharf_ftp_listen() {
    local dir=$1 name=$2 implicit=$3 user=$4 pam=$5 tls=$6 reuse=$7 port pid attempt
    for attempt in 1 2 3 4 5; do
        port=$(wharf_free_port 26000 28000) || return 1
        _wharf_ftp_config "$dir" "$name" "$port" "$implicit" "$user" "$pam" "$tls" "$reuse"
        (cd "$dir" && exec /usr/sbin/vsftpd "$dir/$name.conf") </dev/null >"$dir/logs/$name.out" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/$name.pid"
        for _ in $(seq 1 50); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                echo "$port"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        wharf_stop_pids 20 "$dir/$name.pid"
        if grep -qi 'could not bind' "$dir/logs/$name.out" 2>/dev/null; then
            _wharf_ftp_say "port $port was taken; trying another."
            continue
        fi
        _wharf_ftp_say "vsftpd ($name) did not start; its output:"
        tail -n 20 "$dir/logs/$name.out" >&2
        return 1
    done
    _wharf_ftp_say "vsftpd ($name) could not bind a port after 5 tries."
    return 1
}

wharf_ftp_start() {
    local started user dir pam password port implicit_port no_tls_port reuse_port
    started=$(wharf_now_ms)
    if [[ $(id -u) -ne 0 ]]; then
        _wharf_ftp_say "vsftpd's listener must run as root (each session drops to its own user); run the tests as root."
        return 1
    fi
    wharf_ftp_install || return 1
    user=$(wharf_server_user "" wharf-ftp) || return 1
    # vsftpd changes into the session user's home before local_root: give it one that exists.
    [[ "$(getent passwd "$user" | cut -d: -f6)" == / ]] || usermod --home / "$user" >&2 || return 1
    dir=$(mktemp -d /tmp/wharf-ftp.XXXXXX) || return 1
    export WHARF_TEST_FTP_DIR=$dir
    chmod 755 "$dir"
    mkdir -p "$dir/files" "$dir/logs" "$dir/empty"
    chmod 777 "$dir/files"
    chmod 555 "$dir/empty"

    password=$(openssl rand -hex 12)
    echo "wharf:$(openssl passwd -6 "$password")" >"$dir/passwd"
    chmod 600 "$dir/passwd"
    pam="wharf-ftp-${dir##*.}"
    pam=${pam,,} # PAM looks its service file up in lower case
    printf 'auth required pam_pwdfile.so pwdfile=%s\naccount required pam_permit.so\nsession required pam_permit.so\n' "$dir/passwd" >"/etc/pam.d/$pam"
    echo "$pam" >"$dir/pam-service"

    openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 || { _wharf_ftp_say "openssl could not make a certificate."; wharf_ftp_stop; return 1; }
    chmod 600 "$dir/key.pem"

    port=$(_wharf_ftp_listen "$dir" explicit NO "$user" "$pam" YES NO) || { wharf_ftp_stop; return 1; }
    implicit_port=$(_wharf_ftp_listen "$dir" implicit YES "$user" "$pam" YES NO) || { wharf_ftp_stop; return 1; }
    # Two servers as users meet them, for the errors: one without TLS, one with vsftpd's default require_ssl_reuse=YES.
    no_tls_port=$(_wharf_ftp_listen "$dir" no-tls NO "$user" "$pam" NO NO) || { wharf_ftp_stop; return 1; }
    reuse_port=$(_wharf_ftp_listen "$dir" reuse NO "$user" "$pam" YES YES) || { wharf_ftp_stop; return 1; }
    export WHARF_TEST_FTP_NO_TLS_PORT=$no_tls_port WHARF_TEST_FTP_REUSE_PORT=$reuse_port
    export WHARF_TEST_FTP_HOST=127.0.0.1 WHARF_TEST_FTP_PORT=$port WHARF_TEST_FTP_IMPLICIT_PORT=$implicit_port \
        WHARF_TEST_FTP_USER=wharf WHARF_TEST_FTP_PASSWORD=$password WHARF_TEST_FTP_CA=$dir/cert.pem
    _wharf_ftp_say "FTP (vsftpd) ready on 127.0.0.1:$port (explicit TLS), :$implicit_port (implicit TLS), :$no_tls_port (no TLS) and :$reuse_port (TLS session reuse), sessions as OS user $user, in $(wharf_elapsed "$started")s (files in $dir/files)"
}

# Stops the servers started by wharf_ftp_start (or those of folder $1), removes their folder and PAM file.
wharf_ftp_stop() {
    local dir=${1:-${WHARF_TEST_FTP_DIR:-}} pam
    [[ -n "$dir" && -d "$dir" ]] || return 0
    wharf_own_dir ftp "$dir" || return 1
    wharf_stop_pids 30 "$dir/explicit.pid" "$dir/implicit.pid" "$dir/no-tls.pid" "$dir/reuse.pid"
    pam=$(cat "$dir/pam-service" 2>/dev/null)
    [[ "$pam" == wharf-ftp-* ]] && rm -f "/etc/pam.d/$pam"
    wharf_remove_dir "$dir" WHARF_TEST_FTP_DIR
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    wharf_server_cli ftp "WHARF_TEST_FTP_HOST WHARF_TEST_FTP_PORT WHARF_TEST_FTP_IMPLICIT_PORT WHARF_TEST_FTP_NO_TLS_PORT WHARF_TEST_FTP_REUSE_PORT WHARF_TEST_FTP_USER WHARF_TEST_FTP_PASSWORD WHARF_TEST_FTP_CA WHARF_TEST_FTP_DIR" "$@"
fi
