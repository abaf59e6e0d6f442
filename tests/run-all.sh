#!/usr/bin/env bash
# The whole test suite: the README's test command, and what .ci/run calls.
# Formatting, lints (warnings are errors), every test of the workspace (unit
# tests, policy tables and properties, service scenarios, the store
# conformance suite, the router tests, the Lambda event tests, doc examples),
# the walkthrough, and the API contract (OpenAPI validity + schemathesis).
# Python tools are installed into target/tools-venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, all features, warnings are errors)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "cargo test (whole workspace)"
cargo test --workspace --all-features

step "walkthrough example runs"
cargo run --quiet -p copkit-examples --example walkthrough > /dev/null

step "Python test tools (target/tools-venv)"
VENV=target/tools-venv
if ! "$VENV/bin/python" -c 'import schemathesis, openapi_spec_validator' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
fi

step "API contract: OpenAPI validity and schemathesis against copkit-local"
VENV=$VENV tests/contract.sh

printf '\nAll checks passed.\n'
