#!/usr/bin/env bash
# Seed 001's loop: make the DuckDB staging file when missing, then sync it into the PostgreSQL
# warehouse that DW_URL names (postgres://user:password@host:5432/dw), incrementally.
# Without DW_URL there is nowhere to sync to: says so and skips (exit 0).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
wharf="$here/../../../wharf"

if [[ -z "${DW_URL:-}" ]]; then
    echo "sync.sh: DW_URL is not set, so there is no PostgreSQL warehouse to sync into; skipped." >&2
    echo "         Set it (e.g. DW_URL=postgres://user:password@localhost:5432/dw) and run again." >&2
    exit 0
fi

if [[ ! -f "$here/staging.duckdb" ]]; then
    "$wharf" exec staging --file "$here/staging.sql" --project "$here"
fi

"$wharf" run --project "$here" "$@"
