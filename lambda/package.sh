#!/usr/bin/env bash
# Builds the deployable zips of the Lambda functions for arm64 (Graviton):
#   target/lambda/bootstrap/bootstrap.zip   the API (ApiFunction)
#   target/lambda/scheduler/bootstrap.zip   the scheduled jobs (SchedulerFunction)
#   target/lambda/search-indexer/bootstrap.zip   the search feed (SearchIndexerFunction)
# lambda/template.yaml names exactly these files as CodeUri, so
# `sam deploy --guided --template-file lambda/template.yaml` uploads them as
# they are. Release profile: see [profile.release] in Cargo.toml.
#
# cargo-lambda and Zig (its cross linker) come from PyPI into
# target/deploy-venv, and rustup adds the aarch64 standard library, so no
# system cross toolchain is needed. A cold build takes tens of minutes on two
# cores; it is not part of tests/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${DEPLOY_VENV:-target/deploy-venv}
tests/ensure-venv.sh "$VENV" lambda/deploy-requirements.txt
rustup target add aarch64-unknown-linux-gnu >/dev/null
# cargo-lambda finds Zig through the venv's python3 (`python3 -m ziglang`).
export PATH="$PWD/$VENV/bin:$PATH"

cargo lambda build --release --arm64 --output-format zip -p copkit-lambda --bin bootstrap
cargo lambda build --release --arm64 --output-format zip -p copkit-lambda --bin scheduler
cargo lambda build --release --arm64 --output-format zip -p copkit-lambda --bin search-indexer

for zip in target/lambda/bootstrap/bootstrap.zip target/lambda/scheduler/bootstrap.zip \
  target/lambda/search-indexer/bootstrap.zip; do
  printf '%s  %s bytes\n' "$zip" "$(stat -c %s "$zip")"
done
