#!/usr/bin/env bash
# The wind-farm example end to end: starts the sensor API on a free port of 127.0.0.1, seeds the
# day (idempotent), runs the pipeline for that day into WINDFARM_TARGET_PG, and stops the API.
#   examples/windfarm/run.sh --date 2024-01-01
# Needs WINDFARM_SOURCE_PG (the API's database) and WINDFARM_TARGET_PG (the warehouse), both
# postgres://user[:password]@host:port/database. WHARF_CLI=path/to/wharf.dll runs that build of
# wharf instead of ./wharf. Running it twice for a day leaves the same tables.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
date=""
while [ $# -gt 0 ]; do
  case "$1" in
    --date) [ $# -ge 2 ] || usage; date=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ "$date" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "run.sh: give the day to load as --date YYYY-MM-DD" >&2; usage; }
for name in WINDFARM_SOURCE_PG WINDFARM_TARGET_PG; do
  [ -n "${!name:-}" ] || { echo "run.sh: set $name to a PostgreSQL URL (postgres://user@host:port/database)" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "run.sh: curl is needed" >&2; exit 2; }

# The API: built once (again when its sources change), started on port 0 so the system picks a free one.
api_dir="$here/sensor-api"
api_dll="$api_dir/bin/Release/net10.0/Windfarm.SensorApi.dll"
if [ ! -f "$api_dll" ] || [ -n "$(find "$api_dir" -newer "$api_dll" -type f \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]; then
  echo "run.sh: building the sensor API..." >&2
  dotnet build "$api_dir/Windfarm.SensorApi.csproj" -c Release --nologo -v quiet >&2
fi
work=$(mktemp -d)
api_pid=""
stop() {
  [ -z "$api_pid" ] || { kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap stop EXIT
dotnet "$api_dll" --urls http://127.0.0.1:0 >"$work/api.log" 2>&1 &
api_pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/.*Now listening on: \(http:[^ ]*\).*/\1/p' "$work/api.log" | head -1)
  [ -n "$url" ] && curl -fsS "$url/api/health" >/dev/null 2>&1 && break
  kill -0 "$api_pid" 2>/dev/null || { cat "$work/api.log" >&2; echo "run.sh: the sensor API stopped (see above)" >&2; exit 1; }
  url=""
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/api.log" >&2; echo "run.sh: the sensor API did not answer within 30 s" >&2; exit 1; }
echo "run.sh: sensor API at $url" >&2

# Seeding is idempotent: minutes already there are kept.
curl -fsS -X POST "$url/api/seed" -H 'content-type: application/json' -d "{\"start_date\": \"${date}T00:00:00\", \"days\": 1}" >&2
echo >&2

wharf=("$root/wharf")
[ -z "${WHARF_CLI:-}" ] || wharf=(dotnet "$WHARF_CLI")
WINDFARM_API_URL=$url "${wharf[@]}" run --project "$here" --var "date=$date"
