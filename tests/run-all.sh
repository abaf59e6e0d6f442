#!/usr/bin/env bash
# The whole test suite: the README's test command, and what .ci/run calls.
# Formatting, lints (warnings are errors), then every test of the workspace:
# unit tests, the policy tables and properties, the service scenarios, the
# store conformance suite on every store, doc examples and the examples.
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

printf '\nAll checks passed.\n'
