#!/usr/bin/env bash
# Create .venv if absent and install modelhealth into it (with the dev extras when
# given "dev"). Re-running is cheap: it reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
# CI runs the Spark suite for real (tests/engine): the dev install there adds the
# spark extra; elsewhere `scripts/setup.sh dev,spark` does the same
if [ "${CI:-}" = "true" ] && [ "$extras" = "dev" ]; then extras="dev,spark"; fi
stamp=".venv/.installed${extras:+-$extras}"

if [ ! -x .venv/bin/python ]; then
  py="${PYTHON:-}"
  if [ -z "$py" ]; then
    for candidate in python3.11 python3.12 python3.13 python3.10 python3; do
      if command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
    done
  fi
  echo "setup: creating .venv with $($py --version)" >&2
  "$py" -m venv .venv
fi

if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
  exit 0
fi

if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip --version >/dev/null 2>&1 || .venv/bin/python -m ensurepip
  .venv/bin/python -m pip install -q --disable-pip-version-check uv
fi
echo "setup: installing modelhealth${extras:+[$extras]} into .venv" >&2
.venv/bin/uv pip install -q --python .venv/bin/python -e ".${extras:+[$extras]}"
touch "$stamp"
