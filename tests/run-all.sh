#!/usr/bin/env bash
# The whole test suite: the README's test command, and what .ci/run calls.
# Formatting, lints (warnings are errors), every test of the workspace (unit
# tests, policy tables and properties, service scenarios, the store
# conformance suite, the router tests, the Lambda event tests, doc examples),
# the walkthrough, the uniffi bindings (Python and Kotlin suites, Swift
# generated), the deploy template (cfn-lint, sam validate), the release linker
# script (it links), the DynamoDB/S3 tests against a moto server started here,
# and the API contract (OpenAPI validity + schemathesis). Python tools are
# installed into target/tools-venv.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it started (seconds into the run), so a slow CI run
# shows where its time went.
step() { printf '\n==> %s  [%ds]\n' "$*" "$SECONDS"; }

# One build, kept small: a clean checkout gains nothing from incremental
# caches (gigabytes under target/debug/incremental), and every later step
# reuses what `cargo test --workspace --all-features` built (copkit-local,
# the walkthrough, libcopkit_ffi and uniffi-bindgen) instead of building the
# same crates again with other features.
export CARGO_INCREMENTAL=0

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, all features, warnings are errors)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "cargo test (whole workspace)"
# One copkit-local for every suite that starts one (the client tests, the
# binding suites, the contract): the binary this build makes for
# copkit-lambda's own tests, so no step rebuilds it with other features.
export COPKIT_LOCAL="$PWD/target/debug/copkit-local"
cargo test --workspace --all-features

step "walkthrough example runs"
target/debug/examples/walkthrough > /dev/null

step "Python test tools (target/tools-venv, from tests/requirements.txt)"
VENV=target/tools-venv
tests/ensure-venv.sh "$VENV" tests/requirements.txt

step "bindings: Python wheel + pytest, Kotlin JUnit through Maven, Swift generated"
VENV=$VENV COPKIT_FFI_BUILT=1 bindings/test.sh

step "deploy template: cfn-lint and sam validate --lint (offline)"
"$VENV/bin/cfn-lint" lambda/template.yaml
SAM_VENV=target/sam-venv
tests/ensure-venv.sh "$SAM_VENV" tests/sam-requirements.txt
SAM_CLI_TELEMETRY=0 "$SAM_VENV/bin/sam" validate --lint --region us-east-1 \
  --template-file lambda/template.yaml

step "release linker script: lambda/hot-text/bootstrap.ld links (release builds of bootstrap use it)"
mkdir -p target/tmp
printf 'int main(void) { return 0; }\n' |
  cc -x c - -o target/tmp/hot-text-check -Wl,-T,lambda/hot-text/bootstrap.ld
target/tmp/hot-text-check

step "DynamoDB, S3 and SES tests against moto (on 127.0.0.1), SMTP against aiosmtpd"
MOTO_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
MOTO_LOG=target/moto.log
"$VENV/bin/python" tests/moto_server.py 127.0.0.1 "$MOTO_PORT" > "$MOTO_LOG" 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null || true; wait $MOTO 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$MOTO_PORT/" && break
  sleep 0.2
done
curl -s -o /dev/null "http://127.0.0.1:$MOTO_PORT/" || { echo "moto did not start:"; cat "$MOTO_LOG"; exit 1; }
# Only the tests of outside services are #[ignore]d (the emulator tests of
# copkit-aws, copkit-lambda and the bindings' DynamoDB feature, SES on moto,
# and SMTP to an aiosmtpd sink each test starts with the tools venv's
# Python); --ignored runs exactly those, reusing the workspace build above
# (same features, so nothing is rebuilt).
AWS_ENDPOINT_URL="http://127.0.0.1:$MOTO_PORT" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
  AWS_REGION=us-east-1 COPKIT_TEST_PYTHON="$PWD/$VENV/bin/python" \
  cargo test --workspace --all-features -- --ignored
printf 'DynamoDB calls per operation, by area: target/dynamo-calls/\n'
kill $MOTO 2>/dev/null || true
wait $MOTO 2>/dev/null || true
trap - EXIT

step "API contract: OpenAPI validity and schemathesis against copkit-local"
VENV=$VENV tests/contract.sh

printf '\nAll checks passed (%ds).\n' "$SECONDS"
