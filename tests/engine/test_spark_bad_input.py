"""Bad input to the Spark engine: one clear line, the right exit code (issue 11).

No pyspark or no Java is the command's fault (exit 2) and names what to install;
a master that does not answer, a table or path that cannot be read is a run that
could not be checked (exit 3).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

from modelhealth.config import load_rules
from modelhealth.engine import EngineSettings, RunData, get_engine, scan_run
from modelhealth.errors import DataError, ExitCode, UsageError
from tests.engine.data import entities, write_parts

RULES = "version: 1\nmodel: m\nchecks:\n  - {id: rows, kind: volume, min_rows: 1}\n"

SCAN = """
import sys
from modelhealth.engine import EngineSettings, RunData, get_engine
from modelhealth.errors import MonitorError
try:
    engine = get_engine(EngineSettings(name="spark"))
    engine.scan(RunData(inputs="data/run"), {})
except MonitorError as exc:
    print(type(exc).__name__, int(exc.exit_code), exc, sep="|")
    sys.exit(0)
print("no error")
"""


def scan_in_child(env: dict[str, str], prelude: str = "") -> list[str]:
    """A fresh process's error from a Spark scan: ``[class, code, message]``."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(prelude) + SCAN],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split("|")


def test_no_pyspark_names_the_extra():
    kind, code, message = scan_in_child(
        dict(os.environ), prelude="import sys; sys.modules['pyspark'] = None\n"
    )
    assert (kind, int(code)) == ("UsageError", ExitCode.USAGE)
    assert "pip install 'modelhealth[spark]'" in message
    assert "\n" not in message


def test_no_java_says_what_to_install(tmp_path):
    pytest.importorskip("pyspark", reason="pyspark is needed to reach the Java check")
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java here
    kind, code, message = scan_in_child(env)
    assert (kind, int(code)) == ("UsageError", ExitCode.USAGE)
    assert "install Java 17 or later" in message


def test_a_master_that_does_not_answer():
    pytest.importorskip("pyspark", reason="the master is checked once pyspark is there")
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = get_engine(
        EngineSettings(name="spark", spark_master=f"spark://127.0.0.1:{port}")
    )
    with pytest.raises(DataError) as caught:
        engine.scan(RunData(inputs="data/run"), {})
    assert str(caught.value).startswith(
        f"the Spark master 'spark://127.0.0.1:{port}' cannot be reached"
    )
    assert caught.value.exit_code == ExitCode.NOT_CHECKED


@pytest.fixture
def rules(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(RULES)
    return load_rules(path)


@pytest.fixture
def engine(spark):
    engine = get_engine(EngineSettings(name="spark"))
    yield engine
    engine.close()


def test_another_master_while_a_session_runs(spark):
    engine = get_engine(EngineSettings(name="spark", spark_master="local[1]"))
    with pytest.raises(UsageError, match="already running on 'local\\[2\\]'"):
        engine.scan(RunData(inputs="data/run"), {})


@pytest.mark.parametrize(
    ("inputs", "error", "message"),
    [
        (
            "/nonexistent/run",
            DataError,
            "the inputs '/nonexistent/run' cannot be read "
            "as Parquet by Spark: [PATH_NOT_FOUND]",
        ),
        (
            "table:nodb.nothing",
            DataError,
            "the inputs table 'nodb.nothing' cannot be read: [TABLE_OR_VIEW_NOT_FOUND]",
        ),
        ("run.csv", UsageError, "the spark engine reads Parquet and tables, not CSV"),
        (42, UsageError, "the spark engine reads the inputs from a Spark DataFrame"),
    ],
    ids=["path", "table", "csv", "type"],
)
def test_inputs_that_cannot_be_read(spark, engine, rules, inputs, error, message):
    with pytest.raises(error) as caught:
        engine.scan(RunData(inputs=inputs), {})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_corrupt_part_found_while_scanning(spark, engine, rules, tmp_path):
    folder = write_parts(entities(50, seed=8), tmp_path / "run", [20], empty=False)
    (folder / "part-5.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    with pytest.raises(DataError) as caught:
        scan_run(engine, RunData(inputs=str(folder)), rules, reference=None)
    assert str(caught.value).startswith(
        f"the spark engine could not read {str(folder)!r}:"
    )
    assert "\n" not in str(caught.value)
