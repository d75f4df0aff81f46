#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine (as root) it first installs what the tests
# start for themselves: PostgreSQL, RabbitMQ and Chromium binaries (.ci/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")"

bash .ci/install-deps.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# Release: the test assemblies and the platform they start in process run optimized. Measured on four unit-test classes
# on a quiet machine: 20-23 % less CPU than Debug (docs/benchmarks.md, "The test suite's own time"); the suite is
# CPU-bound on two cores, so that is its time too.
dotnet test --solution ReferralNetwork.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain closing line that any CI can read.
passed=$(grep -E '^\s*succeeded:' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E '^\s*failed:' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -E '^\s*skipped:' "$log" | awk '{s+=$2} END {print s+0}')
# The failures by name, last, so that a CI page showing only the tail still says which ones.
# Each with the first lines of its message (not its stack or output), cut to a readable width.
if grep -qE '^failed ' "$log"; then
  echo "failed tests:"
  awk '
    /^failed / { print "  " $0; inside = 1; shown = 0; next }
    inside && (/^    at / || /^  Standard output/ || /^[^ ]/ || shown >= 8) { inside = 0 }
    inside && !/^  from / && NF { print "    " substr($0, 3, 300); shown++ }
  ' "$log"
fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
