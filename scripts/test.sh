#!/usr/bin/env bash
# Runs every test from a fresh clone: fetches DuckDB's native library if needed, builds the
# solution (warnings are errors) and runs the test projects.
#   ./scripts/test.sh [extra dotnet test arguments, e.g. --filter Name~Csv]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command -v dotnet >/dev/null || { echo "test.sh: the .NET SDK (dotnet) is needed." >&2; exit 1; }
scripts/fetch-duckdb.sh >/dev/null

echo "== build"
dotnet build Wharf.slnx -c Release --nologo -v quiet

echo "== test"
status=0
dotnet test Wharf.slnx -c Release --no-build --nologo --logger "console;verbosity=normal" "$@" || status=$?
exit $status
