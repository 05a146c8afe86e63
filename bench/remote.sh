#!/usr/bin/env bash
# Files from remote locations into DuckDB: `wharf run` over S3 (moto), SFTP (OpenSSH) and FTP
# (vsftpd, explicit TLS) against what a user would do instead: a plain download (`aws s3 cp`,
# `sftp`, `curl --ssl-reqd`) followed by the same `wharf run` over the local file.
#   bench/remote.sh [--rows N] [--runs K] [--launcher] [--quiet-wait SECONDS]
# The file is the generated orders CSV, gzipped (N rows, default 5,000,000). The servers are the
# test servers (scripts/moto.sh, sshd.sh, ftp.sh), started here on 127.0.0.1 and stopped at the end.
# Each round measures, in an order that alternates, the local load, each plain download and each
# remote load, under /usr/bin/time -v once the machine is idle. Target (issue 15): wharf over a
# location within 1.15x of download + local load (medians).
# Output: bench/out/remote/report.md. Exit 0 when every side loaded every row, 1 otherwise, 2 on bad usage.
set -euo pipefail

rows=5000000
runs=3
launcher=no
quiet_wait=60
usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage; rows=$2; shift 2 ;;
    --runs) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage; runs=$2; shift 2 ;;
    --launcher) launcher=yes; shift ;;
    --quiet-wait) [[ "${2:-}" =~ ^[0-9]+$ ]] || usage; quiet_wait=$2; shift 2 ;;
    *) usage ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wharf=$root/wharf
out=$root/bench/out/remote
work=$out/work
# shellcheck source=lib.sh
source "$root/bench/lib.sh"
bench_setup remote.sh
command -v aws >/dev/null || fail "the AWS CLI (aws) is needed for the plain S3 download; pip install awscli"
command -v sftp >/dev/null || fail "OpenSSH's sftp client is needed for the plain SFTP download"
rm -rf "$work" "$out/projects"
mkdir -p "$work/data" "$work/download" "$out/projects"

say "building the bench tool"
dotnet build "$root/bench/Wharf.Bench" -c Release -o "$out/bench-tool" >"$work/bench-build.log" 2>&1 || { tail -n 30 "$work/bench-build.log" >&2; fail "building bench/Wharf.Bench failed"; }
bench_tool=(dotnet "$out/bench-tool/Wharf.Bench.dll")
choose_wharf

say "generating $rows orders and gzipping them"
"${bench_tool[@]}" generate --rows "$rows" --out "$work/data" >/dev/null
rm -f "$work/data/orders.ndjson"
gzip -f "$work/data/orders.csv"
file=$work/data/orders.csv.gz
bytes=$(stat -c %s "$file")

# The servers of the tests, stopped however this script ends.
# shellcheck source=../scripts/moto.sh
source "$root/scripts/moto.sh"
# shellcheck source=../scripts/sshd.sh
source "$root/scripts/sshd.sh"
# shellcheck source=../scripts/ftp.sh
source "$root/scripts/ftp.sh"
trap 'wharf_moto_stop || true; wharf_sshd_stop || true; wharf_ftp_stop || true' EXIT
say "starting moto, sshd and vsftpd"
wharf_moto_start >/dev/null || fail "moto did not start"
wharf_sshd_start >/dev/null || fail "sshd did not start"
wharf_ftp_start >/dev/null || fail "vsftpd did not start"

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1
s3() { aws --endpoint-url "$WHARF_TEST_S3_ENDPOINT" s3 "$@"; }
say "putting the file on each server ($((bytes / 1048576)) MiB)"
s3 mb s3://bench >/dev/null
s3 cp "$file" s3://bench/in/orders.csv.gz >/dev/null
mkdir -p "$WHARF_TEST_SFTP_ROOT/bench" "$WHARF_TEST_FTP_DIR/files/bench"
cp "$file" "$WHARF_TEST_SFTP_ROOT/bench/" && chmod -R a+rX "$WHARF_TEST_SFTP_ROOT/bench"
cp "$file" "$WHARF_TEST_FTP_DIR/files/bench/" && chmod -R a+rX "$WHARF_TEST_FTP_DIR/files/bench"

# project NAME CONNECTION: a project loading orders.csv.gz from one connection into DuckDB.
project() {
  mkdir -p "$out/projects/$1"
  cat >"$out/projects/$1/wharf.yml" <<YAML
warehouse: warehouse.duckdb
lake: lake/
connections:
  src: $2
pipelines:
  orders: { source: src, files: "orders.csv.gz", table: orders, mode: replace }
YAML
}
project local "{ type: files, path: \"$work/download\" }"
project s3 "{ type: s3, bucket: bench, prefix: in/, endpoint: \"$WHARF_TEST_S3_ENDPOINT\", path_style: true, access_key: bench, secret_key: bench-secret }"
project sftp "{ type: sftp, host: 127.0.0.1, port: $WHARF_TEST_SFTP_PORT, user: $WHARF_TEST_SFTP_USER, private_key: \"$WHARF_TEST_SFTP_KEY\", known_hosts: \"$WHARF_TEST_SFTP_KNOWN_HOSTS\", path: \"$WHARF_TEST_SFTP_ROOT/bench\" }"
project ftp "{ type: ftp, host: 127.0.0.1, port: $WHARF_TEST_FTP_PORT, tls: { mode: explicit, ca_file: \"$WHARF_TEST_FTP_CA\" }, user: $WHARF_TEST_FTP_USER, password: \"$WHARF_TEST_FTP_PASSWORD\", path: /bench }"

# The plain downloads a user would run, into the local project's folder.
download() {
  local target=$work/download/orders.csv.gz
  rm -f "$target"
  case "$1" in
    s3) s3 cp --quiet s3://bench/in/orders.csv.gz "$target" ;;
    sftp) sftp -q -b - -i "$WHARF_TEST_SFTP_KEY" -P "$WHARF_TEST_SFTP_PORT" -o UserKnownHostsFile="$WHARF_TEST_SFTP_KNOWN_HOSTS" \
      "$WHARF_TEST_SFTP_USER@127.0.0.1" <<<"get $WHARF_TEST_SFTP_ROOT/bench/orders.csv.gz $target" ;;
    ftp) curl -sS --ssl-reqd --cacert "$WHARF_TEST_FTP_CA" --user "$WHARF_TEST_FTP_USER:$WHARF_TEST_FTP_PASSWORD" \
      -o "$target" "ftp://127.0.0.1:$WHARF_TEST_FTP_PORT/bench/orders.csv.gz" ;;
  esac
  [ "$(stat -c %s "$target")" = "$bytes" ]
}
export -f download s3
export work bytes WHARF_TEST_S3_ENDPOINT WHARF_TEST_SFTP_KEY WHARF_TEST_SFTP_PORT WHARF_TEST_SFTP_KNOWN_HOSTS WHARF_TEST_SFTP_USER WHARF_TEST_SFTP_ROOT \
  WHARF_TEST_FTP_CA WHARF_TEST_FTP_USER WHARF_TEST_FTP_PASSWORD WHARF_TEST_FTP_PORT

# measure NAME COMMAND...: one timed run; prints "wall peak_kib cpu".
measure() {
  local name=$1 report="$work/$1.time"
  shift
  wait_for_quiet
  /usr/bin/time -v -o "$report" "$@" >"$work/$name.out" 2>"$work/$name.err" || { tail -n 20 "$work/$name.err" "$work/$name.out" >&2; fail "$name failed"; }
  time_report "$report"
}

loaded() {
  local got
  got=$("${bench_tool[@]}" count --db "$out/projects/$1/warehouse.duckdb" --table orders --parquet "$out/projects/$1/lake/orders" | cut -d' ' -f1)
  [ "$got" = "$rows" ] || fail "wharf over $1 loaded $got rows, not $rows"
}

locations=(s3 sftp ftp)
download s3 || fail "the first S3 download failed"
: >"$work/results.tsv"
for round in $(seq 1 "$runs"); do
  sides=(local)
  for location in "${locations[@]}"; do sides+=("download-$location" "wharf-$location"); done
  (( round % 2 == 0 )) && mapfile -t sides < <(printf '%s\n' "${sides[@]}" | tac)
  for side in "${sides[@]}"; do
    case "$side" in
      local) result=$(measure local "${wharf_cmd[@]}" run --project "$out/projects/local"); loaded local ;;
      download-*) result=$(measure "$side" bash -c "download ${side#download-}") ;;
      wharf-*) result=$(measure "$side" "${wharf_cmd[@]}" run --project "$out/projects/${side#wharf-}"); loaded "${side#wharf-}" ;;
    esac
    echo "$round $side $result" | tee -a "$work/results.tsv" >&2
  done
done

med() { awk -v s="$1" -v f="$2" '$2 == s { print $f }' "$work/results.tsv" | median; }
local_wall=$(med local 3)
{
  echo "$(date -u +%F), $(nproc) cores; wharf at commit $wharf_commit; $rows rows, orders.csv.gz of $((bytes / 1048576)) MiB; $runs rounds (medians)."
  echo
  echo "| location | plain download s | + local load s | wharf over the location s | ratio | CPU s (wharf) | peak RSS MiB (wharf) | target <= 1.15 |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  for location in "${locations[@]}"; do
    dl=$(med "download-$location" 3); remote=$(med "wharf-$location" 3)
    ratio=$(awk -v r="$remote" -v d="$dl" -v l="$local_wall" 'BEGIN { printf "%.3f", r / (d + l) }')
    echo "| $location | $dl | $local_wall | $remote | $ratio | $(med "wharf-$location" 5) | $(( $(med "wharf-$location" 4 | cut -d. -f1) / 1024 )) | $(verdict "$ratio" 1.15 '<=') |"
  done
  echo
  echo "Local load alone (wharf run over the downloaded file): $local_wall s wall, $(med local 5) s CPU, $(( $(med local 4 | cut -d. -f1) / 1024 )) MiB peak RSS."
} | tee "$out/report.md"
