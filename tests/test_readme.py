"""The README's tour works as written (issue 16, item 4).

Every code block of the README is taken from the file and run, in order, in a fresh
folder that holds only the README, the Makefile and the project's virtual
environment (a link to this one's ``.venv``), as a newcomer would paste them:

- the shell blocks, command by command (lines joined at ``\\``), through ``bash``;
  each must exit 0 unless it says ``# exits N``. ``make demo`` runs without its
  setup step (``make -o setup demo``): the environment is set up already, and
  setting it up from the copy would repoint it. ``make test`` is what runs this
  test, so it is the one command not run here. ``serve`` runs until its page and
  its JSON twin answer, on a free port instead of 8000 (other tests may hold it);
- the Python block, with the environment's Python;
- the rules example, saved beside the demo's ``base.yaml`` (which it extends) and
  validated with ``SLACK_BOT_TOKEN`` unset: a warning that names it, exit 0.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```(bash|python|yaml)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXITS = re.compile(r"#\s*exits (\d)\b")


def blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


def commands(block: str) -> list[tuple[str, int]]:
    """The commands of a shell block and the exit code each expects."""
    out = []
    for line in block.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        found = EXITS.search(line)
        command = shlex.split(line, comments=True)
        out.append((shlex.join(command), int(found.group(1)) if found else 0))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    folder = tmp_path / "modelhealth"
    folder.mkdir()
    for name in ("README.md", "Makefile"):
        (folder / name).write_bytes((ROOT / name).read_bytes())
    (folder / ".venv").symlink_to(ROOT / ".venv")
    return folder


def environment() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MODELHEALTH_") and k != "SLACK_BOT_TOKEN"
    }
    env["MODELHEALTH_ALERT_BUDGET"] = "1"
    return env


def run(command: str, cwd: Path, expected: int) -> str:
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == expected, (
        f"{command}\nexit {done.returncode}, expected {expected}\n"
        f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
    )
    return done.stdout + done.stderr


def serve(command: str, cwd: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        ["bash", "-c", f"exec {command} --port {port}"],
        cwd=cwd,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                base = f"http://127.0.0.1:{port}"
                with urllib.request.urlopen(f"{base}/", timeout=5) as page:
                    assert page.status == 200
                with urllib.request.urlopen(f"{base}/models/churn.json") as twin:
                    assert b'"churn"' in twin.read()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "serve did not answer in 120 s"
                time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        if proc.stdout is not None:
            proc.stdout.close()


def test_readme_tour_runs_as_written(clone: Path) -> None:
    ran: list[str] = []
    for lang, block in blocks():
        if lang == "yaml":
            rules = clone / "modelhealth-demo" / "rules" / "readme.yaml"
            rules.write_text(block, encoding="utf-8")
            out = run(".venv/bin/modelhealth rules validate " + str(rules), clone, 0)
            assert "environment variable 'SLACK_BOT_TOKEN' is not set" in out
            ran.append("rules example")
            continue
        if lang == "python":
            out = run(
                f"{shlex.quote(sys.executable)} -c {shlex.quote(block)}", clone, 0
            )
            ran.append("python")
            continue
        for command, expected in commands(block):
            if command == "make test":
                continue  # what runs this test
            if command == "make demo":
                out = run("make -o setup demo", clone, 0)
                assert "try next:" in out
            elif " serve " in f" {command} ":
                serve(command, clone)
            else:
                run(command, clone, expected)
            ran.append(command.split()[1] if command.startswith(".venv") else command)
    assert ran[0] == "make demo"
    for name in ("rules", "baseline", "gate", "check", "labels", "serve", "status"):
        assert name in ran
    assert {"python", "rules example", "alerts"} <= set(ran)
