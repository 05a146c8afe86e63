#!/usr/bin/env bash
# Throwaway S3 servers for the tests: moto's server (`moto_server`, Python), in memory, on free
# ports of 127.0.0.1. The tests make their buckets and objects with the AWS SDK. The first accepts
# any access key; the second checks keys as AWS does (moto's IAM emulation), against the one IAM
# user made at start, for the wrong-credentials tests. moto runs as the calling user: it lives in that user's Python (pyenv under /root here),
# which another user could not run; it keeps nothing on disk but its log.
#
# Sourced (what scripts/test.sh does):
#   source scripts/moto.sh
#   wharf_moto_start   # exports WHARF_TEST_S3_ENDPOINT, WHARF_TEST_S3_AUTH_ENDPOINT (the server
#                      # that checks keys), WHARF_TEST_S3_AUTH_KEY and _SECRET (its user's key),
#                      # and WHARF_TEST_MOTO_DIR
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

# Starts moto_server with the environment given as NAME=VALUE arguments on a free port, its pid in
# $1/$2.pid and its log in $1/$2.log; prints the port.
_wharf_moto_serve() {
    local dir=$1 name=$2 bin port pid attempt
    shift 2
    bin=$(_wharf_moto_bin)
    for attempt in 1 2 3 4 5; do
        port=$(wharf_free_port 20000 25000) || return 1
        env "$@" "$bin" -H 127.0.0.1 -p "$port" </dev/null >"$dir/$name.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/$name.pid"
        for _ in $(seq 1 300); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                echo "$port"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -TERM "$pid" 2>/dev/null || true
        if grep -qi 'address already in use' "$dir/$name.log"; then
            _wharf_moto_say "port $port was taken; trying another."
            continue
        fi
        _wharf_moto_say "the server did not start; its log ($dir/$name.log):"
        tail -n 30 "$dir/$name.log" >&2
        return 1
    done
    _wharf_moto_say "the server could not bind a port after 5 tries."
    return 1
}

# The IAM user of the server that checks keys: made in its first three requests, which moto lets
# through unchecked (INITIAL_NO_AUTH_ACTION_COUNT=3); every later one must be signed with its key.
# Prints "access_key secret_key".
_wharf_moto_user() {
    python3 - "$1" <<'PY'
import json, sys
import boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="wharf")
iam.put_user_policy(UserName="wharf", PolicyName="s3", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="wharf")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
}

wharf_moto_start() {
    local started dir port auth keys key secret
    started=$(wharf_now_ms)
    wharf_moto_install || return 1
    dir=$(mktemp -d /tmp/wharf-moto.XXXXXX) || return 1
    export WHARF_TEST_MOTO_DIR=$dir
    port=$(_wharf_moto_serve "$dir" moto) || { wharf_moto_stop; return 1; }
    auth=$(_wharf_moto_serve "$dir" moto-auth INITIAL_NO_AUTH_ACTION_COUNT=3) || { wharf_moto_stop; return 1; }
    keys=$(_wharf_moto_user "http://127.0.0.1:$auth" 2>"$dir/moto-user.log") || {
        _wharf_moto_say "could not make the IAM user of the server that checks keys:"
        tail -n 20 "$dir/moto-user.log" >&2
        wharf_moto_stop
        return 1
    }
    read -r key secret <<<"$keys"
    export WHARF_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
    export WHARF_TEST_S3_AUTH_ENDPOINT="http://127.0.0.1:$auth" WHARF_TEST_S3_AUTH_KEY=$key WHARF_TEST_S3_AUTH_SECRET=$secret
    _wharf_moto_say "moto S3 ready on 127.0.0.1:$port, and one that checks keys on 127.0.0.1:$auth, in $(wharf_elapsed "$started")s (logs in $dir)"
}

# Stops the server started by wharf_moto_start (or the one of folder $1) and removes its folder.
wharf_moto_stop() {
    local dir=${1:-${WHARF_TEST_MOTO_DIR:-}}
    [[ -n "$dir" && -d "$dir" ]] || return 0
    wharf_own_dir moto "$dir" || return 1
    wharf_stop_pids 50 "$dir/moto.pid" "$dir/moto-auth.pid"
    wharf_remove_dir "$dir" WHARF_TEST_MOTO_DIR
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    wharf_server_cli moto "WHARF_TEST_S3_ENDPOINT WHARF_TEST_S3_AUTH_ENDPOINT WHARF_TEST_S3_AUTH_KEY WHARF_TEST_S3_AUTH_SECRET WHARF_TEST_MOTO_DIR" "$@"
fi
