#!/usr/bin/env bash
# The API contract: copkit-local (the same router as the Lambda) started on a
# free loopback port with demo data, its /openapi.json validated against the
# OpenAPI 3.1 specification, Python and TypeScript clients generated from it
# (tests/generated_clients/run.sh), then schemathesis with every default check
# (ignored_auth included), every phase (stateful included) and 25 examples
# per operation (a few minutes on 2 cores; SCHEMATHESIS_EXAMPLES=200 or more
# for a longer run outside CI). Uses the Python tools in $VENV (see
# tests/run-all.sh).
# Hypothesis' "too slow" health check is off: generating long bodies that
# match the text patterns is slow on a 2-core machine, which says nothing
# about the API. For the same reason a request may take up to 30 s (a debug
# build on a busy 2-core machine) before it counts as a network error.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-target/tools-venv}
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-25}

# The copkit-local tests/run-all.sh built ($COPKIT_LOCAL), or one built here.
if [ -z "${COPKIT_LOCAL:-}" ]; then
  cargo build --quiet -p copkit-lambda --bin copkit-local
  COPKIT_LOCAL=./target/debug/copkit-local
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
DATA=$(mktemp -d)
LOG="$DATA/server.log"
"$COPKIT_LOCAL" --demo --addr "127.0.0.1:$PORT" --data-dir "$DATA" > "$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

for _ in $(seq 1 100); do
  grep -q "TOKEN=" "$LOG" 2>/dev/null && curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
  sleep 0.2
done
TOKEN=$(grep -m1 "TOKEN=" "$LOG" | sed 's/.*TOKEN=//')
[ -n "$TOKEN" ] || { echo "copkit-local did not start:"; cat "$LOG"; exit 1; }

curl -sf "http://127.0.0.1:$PORT/openapi.json" > "$DATA/openapi.json"
"$VENV/bin/openapi-spec-validator" "$DATA/openapi.json"

# Clients generated from the document (Python and TypeScript) compile and
# call this server.
tests/generated_clients/run.sh "http://127.0.0.1:$PORT" "$TOKEN"

REPORT=target/schemathesis.log
mkdir -p target
run_schemathesis() {
  local workers=$1
  set +e
  COPKIT_TOKEN="$TOKEN" SCHEMATHESIS_HOOKS=hooks PYTHONPATH=tests/schemathesis \
    "$VENV/bin/st" --config-file tests/schemathesis/schemathesis.toml \
      run "http://127.0.0.1:$PORT/openapi.json" \
      --max-examples "$EXAMPLES" --workers "$workers" --no-color --request-timeout 30 \
      --suppress-health-check=too_slow \
      ${SCHEMATHESIS_SEED:+--seed "$SCHEMATHESIS_SEED"} > "$REPORT" 2>&1
  STATUS=$?
  set -e
  sed -n '/SUMMARY/,$p' "$REPORT"
}

run_schemathesis 2
# A run whose only problems are schemathesis' own runtime errors (no check
# failed against the API) is shown and repeated once with one worker: under
# Python 3.11, hypothesis' lambda-source parsing races between worker threads
# ("AST constructor recursion depth mismatch", CPython's thread-unsafe AST
# state). A failed check is never retried. (`sed -n 1,Np` rather than `head`:
# with pipefail, head closing the pipe early would fail the script.)
if [ $STATUS -ne 0 ] && ! grep -q "FAILURES" "$REPORT" && grep -q "Runtime Error" "$REPORT"; then
  echo "schemathesis itself hit a runtime error (no check failed); its report:"
  sed -n '/ERRORS/,/SUMMARY/p' "$REPORT" | sed -n 1,100p
  echo "running schemathesis once more, with one worker"
  run_schemathesis 1
fi
if [ $STATUS -ne 0 ]; then
  echo "schemathesis found problems; the full report is in $REPORT:"
  sed -n '/ERRORS\|FAILURES/,/SUMMARY/p' "$REPORT" | sed -n 1,200p
  exit $STATUS
fi
