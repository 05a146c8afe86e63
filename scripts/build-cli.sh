#!/usr/bin/env bash
# Builds the wharf CLI (Release) from the sources under ROOT into OUT. Published ReadyToRun for this
# machine where .NET supports it: the code is compiled ahead, so a run does not start by compiling
# Wharf, Npgsql and DuckDB's bindings (a scheduled run of a small change is mostly start-up; see
# bench/README.md). Intermediate files go to OUT.obj, away from ROOT's own bin/ and obj/, so this
# never races a build or test run of the same sources.
#   scripts/build-cli.sh ROOT OUT
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: scripts/build-cli.sh ROOT OUT" >&2; exit 2; }
root=$1 out=$2
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid=linux-x64 ;;
  Linux-aarch64 | Linux-arm64) rid=linux-arm64 ;;
  Darwin-arm64) rid=osx-arm64 ;;
  Darwin-x86_64) rid=osx-x64 ;;
  *) rid= ;;
esac

args=(publish "$root/src/Wharf.Cli/Wharf.Cli.csproj" -c Release -o "$out" --artifacts-path "$out.obj" --nologo -v quiet)
if [ -n "$rid" ]; then
  args+=(-r "$rid" --self-contained false -p:PublishReadyToRun=true)
fi
dotnet "${args[@]}"
