#!/usr/bin/env bash
# Generates a Python client (openapi-python-client) and a TypeScript client
# (OpenAPI Generator, typescript-fetch, the jar from Maven Central) from the
# /openapi.json a running copkit serves, and fails when either generator
# warns about the document, when a class gets a numbered or made-up name, when the
# TypeScript does not compile under --strict, or when the smoke calls
# (smoke.py, smoke.ts) against that server fail.
#   usage: tests/generated_clients/run.sh BASE_URL TOKEN
# Needs python3 (venv), java, mvn, node and npm; the generator is installed
# into target/gen-venv, the jar comes through Maven's local repository, and
# everything generated goes to target/generated-clients.
set -euo pipefail
BASE=$1
TOKEN=$2
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE/../.."
OUT=target/generated-clients
GENERATOR_VERSION=7.19.0
rm -rf "$OUT"
mkdir -p "$OUT"
curl -sf "$BASE/openapi.json" > "$OUT/openapi.json"

# A generated class whose name carries a number (`Thread1`, `Inline200`) or
# a made-up part (`PageThreadItemsItem`, `…OneOf…`) means a concept without a
# name in the document.
unnamed_classes() {
  local dir=$1 ext=$2
  find "$dir" -maxdepth 1 -name "*.$ext" -printf "%f\n" | grep -iE "[0-9]|items_?item|inline|any_?of|one_?of" || true
}

printf -- '-- Python client (openapi-python-client)\n'
GEN_VENV=target/gen-venv
tests/ensure-venv.sh "$GEN_VENV" "$HERE/requirements.txt"
# The generator formats its output with ruff, which it installs beside itself.
PATH="$PWD/$GEN_VENV/bin:$PATH" openapi-python-client generate --path "$OUT/openapi.json" \
  --meta none --output-path "$OUT/python/copkit_api" > "$OUT/python.log" 2>&1 \
  || { cat "$OUT/python.log"; exit 1; }
if grep -qiE 'warning|error|unsupported|not be generated' "$OUT/python.log"; then
  echo "openapi-python-client complained about the document:"; cat "$OUT/python.log"; exit 1
fi
BAD=$(unnamed_classes "$OUT/python/copkit_api/models" py)
[ -z "$BAD" ] || { echo "badly named Python classes: $BAD"; exit 1; }
PYTHONPATH="$OUT/python" "$GEN_VENV/bin/python" "$HERE/smoke.py" "$BASE" "$TOKEN"

printf -- '-- TypeScript client (OpenAPI Generator %s, typescript-fetch)\n' "$GENERATOR_VERSION"
mvn -q dependency:copy -Dartifact="org.openapitools:openapi-generator-cli:$GENERATOR_VERSION" \
  -DoutputDirectory="$OUT" > "$OUT/maven.log" 2>&1 || { cat "$OUT/maven.log"; exit 1; }
java -jar "$OUT/openapi-generator-cli-$GENERATOR_VERSION.jar" generate --input-spec "$OUT/openapi.json" \
  --generator-name typescript-fetch --output "$OUT/ts/client" > "$OUT/typescript.log" 2>&1 \
  || { cat "$OUT/typescript.log"; exit 1; }
# Two notices are about the generator, not the document: its OpenAPI 3.1
# support is labelled beta, and it makes response examples for JSON only
# (downloads, the calendar and the CSV export are not JSON).
WARNINGS=$(grep -E 'WARN|ERROR' "$OUT/typescript.log" \
  | grep -vE 'OpenAPI 3\.1 support is still in beta|Response examples can currently only be generated for application/json' || true)
[ -z "$WARNINGS" ] || { echo "the OpenAPI Generator complained about the document:"; echo "$WARNINGS"; exit 1; }
BAD=$(unnamed_classes "$OUT/ts/client/models" ts)
[ -z "$BAD" ] || { echo "badly named TypeScript classes: $BAD"; exit 1; }
cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/tsconfig.json" "$HERE/smoke.ts" "$OUT/ts/"
(cd "$OUT/ts" && npm ci --no-audit --no-fund --loglevel=error > npm.log 2>&1 || { cat npm.log; exit 1; }
 npx --no-install tsc -p tsconfig.json && node out/smoke.js "$BASE" "$TOKEN")
