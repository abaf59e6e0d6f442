#!/usr/bin/env bash
# The foreign-language suites (part of tests/run-all.sh):
#  1. builds libcopkit_ffi (debug) and the pinned uniffi-bindgen;
#     and copkit-local, which the client tests start;
#  2. Python: builds the wheel (bindings/python/build.py), installs it into
#     $VENV, runs the pytest suite and the portal example;
#  3. Kotlin: generates the Kotlin sources, then Maven compiles them against
#     the library (JNA) and runs the JUnit 5 suite;
#  4. Swift: generates sources, C headers and module maps into
#     target/bindings/swift (no Swift compiler here; see bindings/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-target/tools-venv}
OUT=target/bindings

case "$(uname -s)" in
  Darwin) LIB=target/debug/libcopkit_ffi.dylib ;;
  *) LIB=target/debug/libcopkit_ffi.so ;;
esac
# The shipped library: SQLite (always) and DynamoDB (`Copkit.dynamodb`).
# tests/run-all.sh sets COPKIT_FFI_BUILT: its `cargo test --workspace
# --all-features` already made the library (with the bench aid too) and the
# generator, and building them again with other features would compile
# most of the dependency tree a second time.
PREBUILT=()
if [ -n "${COPKIT_FFI_BUILT:-}" ]; then
  PREBUILT=(--prebuilt)
  # `cargo test` leaves the shared library in deps/ (only `cargo build`
  # copies it up a level).
  LIB="$(dirname "$LIB")/deps/$(basename "$LIB")"
else
  cargo build --quiet -p copkit-ffi --features dynamodb --lib --bin uniffi-bindgen
fi
# The client tests (Python, Kotlin) talk to copkit-local: the one
# tests/run-all.sh built ($COPKIT_LOCAL), or one built here.
if [ -z "${COPKIT_LOCAL:-}" ]; then
  cargo build --quiet -p copkit-lambda --bin copkit-local
  export COPKIT_LOCAL="$PWD/target/debug/copkit-local"
fi
generate() {
  rm -rf "$OUT/$1"
  target/debug/uniffi-bindgen generate --library "$LIB" --language "$1" --no-format \
    --out-dir "$OUT/$1" > /dev/null
}

echo "--- Python: wheel, pytest, portal example"
WHEEL=$("$VENV/bin/python" bindings/python/build.py "${PREBUILT[@]}" | tail -n 1)
"$VENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$WHEEL"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider bindings/python/tests
"$VENV/bin/python" examples/portal.py > /dev/null

echo "--- Kotlin: generated sources, JUnit 5 through Maven"
generate kotlin
mvn -B -ntp -q -f bindings/kotlin/pom.xml test \
  -Dcopkit.generated="$PWD/$OUT/kotlin" -Dcopkit.lib.dir="$PWD/$(dirname "$LIB")"
grep -h "Tests run" bindings/kotlin/target/surefire-reports/*.txt

echo "--- Swift: generated sources, headers and module maps"
generate swift
for f in Copkit.swift copkitFFI.h copkitFFI.modulemap CopkitCore.swift copkit_coreFFI.h copkit_coreFFI.modulemap; do
  [ -s "$OUT/swift/$f" ] || { echo "missing generated Swift file $f" >&2; ls "$OUT/swift" >&2; exit 1; }
done
echo "Swift bindings in $OUT/swift: $(ls "$OUT/swift" | tr '\n' ' ')"
