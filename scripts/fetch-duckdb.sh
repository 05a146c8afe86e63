#!/usr/bin/env bash
# Puts DuckDB's native library (libduckdb) in Wharf's per-user cache, taken from the npm package
# @duckdb/node-bindings-<os>-<arch> at the version pinned in Directory.Build.props.
# Idempotent: does nothing when the library is already cached. Prints the library's path.
#   scripts/fetch-duckdb.sh [--quiet]
set -euo pipefail

quiet=false
[ "${1:-}" = "--quiet" ] && quiet=true
say() { $quiet || echo "$@" >&2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=$(sed -n 's:.*<DuckDbNpmVersion>\(.*\)</DuckDbNpmVersion>.*:\1:p' "$root/Directory.Build.props")
[ -n "$version" ] || { echo "fetch-duckdb: no <DuckDbNpmVersion> in Directory.Build.props" >&2; exit 2; }

if [ -n "${WHARF_DUCKDB_LIB:-}" ]; then
  [ -f "$WHARF_DUCKDB_LIB" ] || { echo "fetch-duckdb: WHARF_DUCKDB_LIB=$WHARF_DUCKDB_LIB does not exist" >&2; exit 1; }
  echo "$WHARF_DUCKDB_LIB"; exit 0
fi

case "$(uname -s)" in
  Linux) os=linux; file=libduckdb.so ;;
  Darwin) os=darwin; file=libduckdb.dylib ;;
  *) echo "fetch-duckdb: unsupported OS $(uname -s); set WHARF_DUCKDB_LIB to a libduckdb you have" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "fetch-duckdb: unsupported CPU $(uname -m); set WHARF_DUCKDB_LIB to a libduckdb you have" >&2; exit 1 ;;
esac

cache_root="${WHARF_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wharf}"
target_dir="$cache_root/duckdb/$version"
target="$target_dir/$file"
if [ -s "$target" ]; then echo "$target"; exit 0; fi

command -v npm >/dev/null || {
  echo "fetch-duckdb: npm is needed to download DuckDB's native library (package @duckdb/node-bindings-$os-$arch@$version)." >&2
  echo "Install Node.js/npm, or download libduckdb yourself and set WHARF_DUCKDB_LIB to its path." >&2
  exit 1
}

mkdir -p "$target_dir"
# One download at a time: parallel builds may all call this script.
exec 9>"$target_dir/.lock"
flock 9
if [ -s "$target" ]; then echo "$target"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
package="@duckdb/node-bindings-$os-$arch@$version"
say "fetch-duckdb: downloading $package ..."
(cd "$work" && npm pack --silent "$package" >/dev/null 2>"$work/npm.log") || {
  echo "fetch-duckdb: 'npm pack $package' failed:" >&2; cat "$work/npm.log" >&2
  echo "Check that the npm registry is reachable, or set WHARF_DUCKDB_LIB to a libduckdb you have." >&2
  exit 1
}
tar -xzf "$work"/*.tgz -C "$work" "package/$file"
mv "$work/package/$file" "$target.tmp"
mv "$target.tmp" "$target"
say "fetch-duckdb: cached $target"
echo "$target"
