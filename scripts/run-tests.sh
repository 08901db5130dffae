#!/usr/bin/env bash
# The README's test command: the whole suite (every package, real Postgres),
# with a JSON report covering it and a plain closing line.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .mqk
node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json=.mqk/test-results.json "$@"
status=$?
node scripts/test-summary.mjs .mqk/test-results.json || status=1
exit $status
