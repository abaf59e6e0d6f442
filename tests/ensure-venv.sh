#!/usr/bin/env bash
# Makes the Python virtualenv DIR hold exactly the pinned REQUIREMENTS file:
# created and installed when missing or when the file changed since the last
# install (a copy is kept as DIR/requirements.installed), left alone otherwise.
#   usage: tests/ensure-venv.sh DIR REQUIREMENTS
set -euo pipefail
DIR=$1
REQUIREMENTS=$2
if ! cmp -s "$REQUIREMENTS" "$DIR/requirements.installed" 2>/dev/null; then
  python3 -m venv "$DIR"
  "$DIR/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$DIR/requirements.installed"
fi
