"""The spool: runs survive a store that goes away mid-write, and replay once (issue 13).

PostgreSQL is reached through a loopback TCP proxy that the test cuts: every open
connection is dropped and new ones are refused, as when the server or the network
goes down. A cut in the middle of ``save_run``'s transaction leaves nothing in the
store and the whole run in the spool; runs checked while the store is unreachable
are spooled too; ``modelhealth spool replay`` killed with SIGKILL again and again
stores every run exactly once, and never over a newer check of the same run id.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import modelhealth
from modelhealth.run import spool as spooling
from modelhealth.store import Store

ROOT = Path(__file__).parents[3]

RULES = """\
version: 1
model: spooled
checks:
  - {id: rows, kind: volume, severity: critical, min_rows: 1000}
alerts:
  - {channel: console, min_severity: info}
"""


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Proxy:
    """A TCP forwarder on 127.0.0.1 to ``target``; ``cut()`` drops every connection
    and refuses new ones until ``restore()``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                _shut(s)

    def cut(self) -> None:
        self.up = False
        for client, server in self.pairs:
            for s in (client, server):
                _shut(s)
                s.close()
        self.pairs.clear()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def proxy(pg_url):
    url = make_url(pg_url)
    made = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield made, url.set(port=made.port).render_as_string(hide_password=False)
    made.close()


def _runs(pg_url: str) -> list[tuple[str, int]]:
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            return sorted(
                (str(k), int(n))
                for k, n in conn.execute(
                    sa.text("select run_key, count(*) from runs group by run_key")
                )
            )
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_store_cut_mid_write_spools_the_whole_run_and_replay_stores_it_once(
    proxy, pg_url, tmp_path
):
    cutter, via_proxy = proxy
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    data = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    folder = tmp_path / "spool"
    store = Store(via_proxy)

    def cut_during_results(conn, cursor, statement, *_):
        if statement.lstrip().upper().startswith("INSERT INTO CHECK_RESULTS"):
            cutter.cut()

    sa.event.listen(store._engine, "before_cursor_execute", cut_during_results)
    try:
        report = modelhealth.check_run(
            rules=rules, run_id="mid-write", inputs=data, db=store, spool=folder
        )
    finally:
        store.close()
    assert report.run_pk is None
    assert report.status.value == "failed"  # the verdict stands: the pipeline is gated
    assert _runs(pg_url) == []  # the cut transaction left nothing behind
    [spooled] = spooling.pending(folder)
    assert spooling.read(spooled).report.results == report.results
    cutter.restore()
    with Store(pg_url) as direct:
        stats = spooling.replay(direct, folder)
        assert (stats.stored, stats.left) == (1, 0)
        stored = direct.run("spooled", "mid-write")
        assert stored is not None
        assert len(stored.results) == 1
        assert [i.check_id for i in direct.incidents("spooled")] == ["rows"]
    assert spooling.pending(folder) == []


_REPLAY = [sys.executable, "-m", "modelhealth", "spool", "replay"]


@pytest.mark.postgres
def test_runs_spooled_in_an_outage_survive_killed_replayers_once_each(
    proxy, pg_url, tmp_path
):
    cutter, via_proxy = proxy
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    folder = tmp_path / "spool"
    Store(pg_url).close()
    cutter.cut()  # the store is down for the whole outage
    run_ids = [f"out-{i:02d}" for i in range(12)]
    for run_id in run_ids:
        report = modelhealth.check_run(
            rules=rules, run_id=run_id, inputs=pd.DataFrame({"x": [1.0]}),
            db=via_proxy, spool=folder,
        )  # fmt: skip
        assert report.run_pk is None
    assert len(spooling.pending(folder)) == 12
    # a newer check of out-00 reached the store (after the outage, from elsewhere)
    with Store(pg_url) as direct:
        modelhealth.check_run(
            rules=rules, run_id="out-00", inputs=pd.DataFrame({"x": [1.0, 2.0]}),
            db=direct,
        )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [*_REPLAY, "--db", pg_url, "--spool", str(folder)]
    kills = 0
    for _ in range(3):
        before = len(spooling.pending(folder))
        replayer = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(spooling.pending(folder)) == before and replayer.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        if replayer.poll() is None:
            replayer.send_signal(signal.SIGKILL)
            kills += 1
        replayer.wait()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    print(f"\n{kills} replayers killed; last replay: {done.stdout.strip()}")
    assert spooling.pending(folder) == []
    assert _runs(pg_url) == [(r, 1) for r in run_ids]  # 0 lost, 0 duplicated
    with Store(pg_url) as direct:
        newer = direct.run("spooled", "out-00")
        assert newer is not None
        assert newer.row_count == 2  # the spooled check did not overwrite it
    again = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    assert again.returncode == 0
    assert again.stdout.startswith(f"spool {folder}: 0 stored")


def test_a_spool_file_is_whole_or_absent_and_unreadable_ones_are_kept(tmp_path):
    from datetime import datetime, timezone

    from modelhealth.report import RunReport

    when = datetime(2026, 3, 1, tzinfo=timezone.utc)
    report = RunReport(
        model="m", run_id="r", results=(), profile={}, row_count=0,
        started_at=when, finished_at=when,
    )  # fmt: skip
    path = spooling.write(tmp_path, report, alerts=None)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left
    assert spooling.read(path).report == report
    broken = tmp_path / "20260301T000000000000-x-1.run.json"
    broken.write_text("{not json")
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        stats = spooling.replay(store, tmp_path)
    assert (stats.stored, stats.bad, stats.left) == (1, 1, 0)
    assert (tmp_path / (broken.name + ".bad")).exists()


def test_the_spool_folder_comes_from_the_option_the_environment_or_the_default(
    monkeypatch, tmp_path
):
    assert spooling.spool_dir(tmp_path) == tmp_path
    monkeypatch.setenv("MODELHEALTH_SPOOL", str(tmp_path / "env"))
    assert spooling.spool_dir() == tmp_path / "env"
    monkeypatch.delenv("MODELHEALTH_SPOOL")
    assert spooling.spool_dir() == Path("modelhealth-spool")
