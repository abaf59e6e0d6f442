#!/usr/bin/env bash
# Proves the suite does not depend on the wall clock, the time zone or the
# time of day: builds once, then runs every Rust test binary and the Python
# binding suite with the system clock moved by libfaketime to
#   1. 23:59 Europe/London (2026-12-02 23:59:00, TZ=Europe/London), and
#   2. the spring daylight-saving change (2026-03-29 00:59:00 UTC, a
#      minute before London's clocks go forward, TZ=Europe/London),
# the clock running on from there. The test binaries run under faketime
# one by one (cargo, rustc and rustdoc themselves can hang under
# libfaketime, so nothing is built there; doc tests are left out, as they
# are compiled at test time). Not part of the CI command; needs
# `apt-get install faketime`. Uses $VENV as tests/run-all.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-target/tools-venv}
command -v faketime > /dev/null || { echo "needs faketime (apt-get install faketime)"; exit 1; }

# Build everything first, at the real time, and list the test binaries.
cargo build --quiet -p copkit-lambda --bin copkit-local
export COPKIT_LOCAL="$PWD/target/debug/copkit-local"
VENV=$VENV bindings/test.sh > /dev/null
BINARIES=$(cargo test --workspace --all-features --lib --bins --tests --no-run \
  --message-format=json 2>/dev/null | "$VENV/bin/python" -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable"):
        print(m["executable"] + "@" + m["manifest_path"].rsplit("/", 1)[0])')

for at in "2026-12-02 23:59:00" "2026-03-29 00:59:00"; do
  printf '\n==> the suite at %s UTC, TZ=Europe/London\n' "$at"
  TZ=Europe/London faketime -f "@$at" date
  passed=0
  for binary in $BINARIES; do
    # Each binary from its package's folder, as cargo runs it.
    executable=${binary%@*}
    if ! (cd "${binary#*@}" && TZ=Europe/London timeout 300 faketime -f "@$at" "$executable" -q \
        > /tmp/clock-run.log 2>&1); then
      echo "FAILED: $executable"; tail -30 /tmp/clock-run.log; exit 1
    fi
    passed=$((passed + $(grep -o '[0-9]* passed' /tmp/clock-run.log | awk '{s+=$1} END {print s+0}')))
  done
  echo "Rust: $passed tests passed in $(echo "$BINARIES" | wc -w) binaries"
  TZ=Europe/London timeout 900 faketime -f "@$at" "$VENV/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests | tail -1
done
printf '\nThe suite passed at both instants.\n'
