"""``modelhealth serve`` as a process: serves, reloads on SIGHUP, stops on SIGTERM;
and ``modelhealth scheduler`` refusing to be a second scheduler on SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.monitor.service.conftest import free_port, wait_until, write_rules


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2)
    except httpx.TransportError:
        return None


def test_serve_reload_on_sighup_and_sigterm(tmp_path: Path, rules_dir: Path) -> None:
    port = free_port()
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    cmd = [
        sys.executable,
        "-m",
        "modelhealth",
        "serve",
        "--port",
        str(port),
        "--db",
        db,
    ]
    cmd += ["--rules", str(rules_dir), "--reload-every", "0"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELHEALTH_")}
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _get(f"{base}/api/v1/models"), timeout=60, what="serve")
        names = [m["name"] for m in httpx.get(f"{base}/api/v1/models").json()["models"]]
        assert names == ["churn"]

        second = subprocess.run(
            [*cmd[:3], "scheduler", *cmd[6:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2  # SQLite: one scheduler per store
        assert "another scheduler is already running" in second.stderr
        assert f"pid {proc.pid}" in second.stderr

        write_rules(rules_dir, "fraud")
        proc.send_signal(signal.SIGHUP)

        def reloaded() -> bool:
            models = httpx.get(f"{base}/api/v1/models").json()["models"]
            return [m["name"] for m in models] == ["churn", "fraud"]

        wait_until(reloaded, timeout=10, what="the reload")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
