#!/usr/bin/env bash
# Packs Wharf: the library (Wharf.<version>.nupkg) and the .NET tool whose command is `wharf`
# (Wharf.Cli.<version>.nupkg), with symbol packages, into OUT (default artifacts/packages).
#   scripts/pack.sh [OUT [dotnet pack options, e.g. --no-build]]
# Then, from any folder:
#   dotnet tool install Wharf.Cli --tool-path ~/.wharf --add-source OUT && ~/.wharf/wharf --version
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/artifacts/packages}" && cd "${1:-$root/artifacts/packages}" && pwd)"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet pack "$root/Wharf.slnx" -c Release -o "$out" --nologo -v quiet "${@:2}" >&2
ls "$out"/*.nupkg
