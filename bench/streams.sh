#!/usr/bin/env bash
# Message streams into DuckDB: `wharf run` over N small JSON messages (a RabbitMQ queue, a NATS
# JetStream stream; batches of 50,000 committed then acknowledged, merged on _message_id) against
# a bare consumer that only receives and acknowledges them (bench/StreamBench), for each N.
#   bench/streams.sh [--messages "100000 1000000"] [--quiet-wait SECONDS]
# Uses the brokers in WHARF_TEST_RABBITMQ_URL / WHARF_TEST_NATS_URL, or starts throwaway ones
# (scripts/rabbitmq.sh, scripts/nats.sh). Both sides run under /usr/bin/time -v and end after
# 2 s without a message (idle_timeout: 2s) once the broker holds nothing more for them (RabbitMQ's
# bare consumer asks for the queue's count, as Wharf does), so the idle wait is in both. Target (issue 16): Wharf
# at least 0.7x the bare consumer's messages/s; memory flat from 100k to 1M.
# Output: bench/out/streams/report.md. Exit 0 when every run loaded every message, 1 otherwise.
set -euo pipefail

sizes="100000 1000000"
quiet_wait=30
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) sizes=$2; shift 2 ;;
    --quiet-wait) quiet_wait=$2; shift 2 ;;
    *) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/bench/out/streams
work=$out/work
# shellcheck source=lib.sh
source "$root/bench/lib.sh"
bench_setup streams.sh
rm -rf "$work"
mkdir -p "$work"

started_brokers=()
cleanup() {
  [[ " ${started_brokers[*]} " == *" rabbitmq "* ]] && "$root/scripts/rabbitmq.sh" stop "$WHARF_TEST_RABBITMQ_DIR"
  [[ " ${started_brokers[*]} " == *" nats "* ]] && "$root/scripts/nats.sh" stop "$WHARF_TEST_NATS_DIR"
  return 0
}
trap cleanup EXIT
if [ -z "${WHARF_TEST_RABBITMQ_URL:-}" ]; then
  eval "$("$root/scripts/rabbitmq.sh" start)"; started_brokers+=(rabbitmq)
fi
if [ -z "${WHARF_TEST_NATS_URL:-}" ]; then
  eval "$("$root/scripts/nats.sh" start)"; started_brokers+=(nats)
fi

say "building wharf and bench/StreamBench"
dotnet build "$root/src/Wharf.Cli" -c Release -o "$out/wharf" >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; fail "building wharf failed"; }
dotnet build "$root/bench/StreamBench" -c Release -o "$out/tool" >>"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; fail "building bench/StreamBench failed"; }
wharf=(dotnet "$out/wharf/wharf.dll")
tool=(dotnet "$out/tool/StreamBench.dll")

# measure NAME COMMAND...: one timed run; prints "wall peak_kib cpu".
measure() {
  local name=$1 report="$work/$1.time"
  shift
  wait_for_quiet
  /usr/bin/time -v -o "$report" "$@" >"$work/$name.out" 2>"$work/$name.err" || { tail -n 20 "$work/$name.err" >&2; fail "$name failed"; }
  time_report "$report"
}

rows() { "${wharf[@]}" query "select count(*) from main.events" --format csv --project "$1" | tail -n 1; }

report=$out/report.md
commit=$(git -C "$root" rev-parse --short HEAD)
{
  echo "# bench/streams.sh at $commit"
  echo
  echo "| broker | messages | wharf s | wharf msg/s | wharf peak MiB | bare s | bare msg/s | bare peak MiB | ratio (≥ 0.7) |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$report"
status=0
for n in $sizes; do
  for broker in rabbitmq nats; do
    project=$work/$broker-$n
    mkdir -p "$project"
    name="bench_$n"
    if [ "$broker" = rabbitmq ]; then
      url=$WHARF_TEST_RABBITMQ_URL
      source_yaml="mq: { type: rabbitmq, url: \"$url\" }"
      pipeline_yaml="events: { source: mq, queue: $name, batch: { max_messages: 50000, max_wait: 30s }, idle_timeout: 2s }"
    else
      url=$WHARF_TEST_NATS_URL
      source_yaml="mq: { type: nats, url: \"$url\" }"
      pipeline_yaml="events: { source: mq, stream: $name, batch: { max_messages: 50000, max_wait: 30s }, idle_timeout: 2s }"
    fi
    printf 'connections:\n  %s\npipelines:\n  %s\n' "$source_yaml" "$pipeline_yaml" >"$project/wharf.yml"

    say "$broker: publishing $n messages"
    "${tool[@]}" "publish-$broker" "$url" "$name" "$n"
    say "$broker: wharf run"
    read -r w_wall w_rss _ < <(measure "wharf-$broker-$n" "${wharf[@]}" run --project "$project")
    loaded=$(rows "$project")
    [ "$loaded" = "$n" ] || { echo "streams.sh: $broker $n: wharf loaded $loaded rows" >&2; status=1; }
    # NATS keeps the stream: the bare consumer (its own durable) reads the same messages. RabbitMQ's queue is empty again.
    [ "$broker" = rabbitmq ] && "${tool[@]}" publish-rabbitmq "$url" "$name" "$n"
    say "$broker: bare consumer"
    read -r b_wall b_rss _ < <(measure "bare-$broker-$n" "${tool[@]}" "consume-$broker" "$url" "$name" 50000)
    got=$(tail -n 1 "$work/bare-$broker-$n.out")
    [ "$got" = "$n" ] || { echo "streams.sh: $broker $n: the bare consumer received $got" >&2; status=1; }
    awk -v b="$broker" -v n="$n" -v ww="$w_wall" -v wr="$w_rss" -v bw="$b_wall" -v br="$b_rss" 'BEGIN {
      printf "| %s | %d | %.1f | %.0f | %.0f | %.1f | %.0f | %.0f | %.2f |\n", b, n, ww, n / ww, wr / 1024, bw, n / bw, br / 1024, bw / ww }' >>"$report"
  done
done
cat "$report"
exit $status
