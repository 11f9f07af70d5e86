#!/usr/bin/env bash
# Create .venv-int/NAME: modelhealth (editable) with the NAME extra, plus pytest, in
# a virtual environment of its own, because orchestrators pin what ours does not
# (Airflow above all). uv resolves and installs from its cache; re-running is cheap:
# it reinstalls only when pyproject.toml changed. Prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
name="$1"
venv=".venv-int/$name"
stamp="$venv/.installed"
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
  exit 0
fi
[ -x .venv/bin/uv ] || scripts/setup.sh dev
SECONDS=0
if [ ! -x "$venv/bin/python" ]; then
  base=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')
  .venv/bin/uv venv -q --python "$base" "$venv"
fi
.venv/bin/uv pip install -q --python "$venv/bin/python" -e ".[$name]" "pytest>=8"
touch "$stamp"
echo "integration-env: $name ready in ${SECONDS} s" >&2
