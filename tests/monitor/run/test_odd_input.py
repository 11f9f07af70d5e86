"""Odd input gives clear results or a clear error, never a hang or a traceback
(issue 13): bytes columns, FIFOs and devices, 0-row and header-only files, ±inf in
the score, over-long paths over HTTP."""

from __future__ import annotations

import os
import textwrap

import numpy as np
import pandas as pd
import pytest

from modelhealth.cli.app import main
from modelhealth.store import Store

RULES = textwrap.dedent(
    """\
    version: 1
    model: odd
    prediction: {column: score, task: binary_classification}
    label: {column: y}
    reference: {baseline: latest}
    checks:
      - {id: rows, kind: volume, min_rows: 1}
      - {id: qual, kind: quality}
      - {id: drift, kind: drift, columns: "*"}
      - {id: auc, kind: metric, metric: roc_auc, stage: post_deployment, min: 0.5}
    """
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "rules.yaml").write_text(RULES)
    ref = pd.DataFrame(
        {
            "x": np.arange(60, dtype=float),
            "blob": [b"\xff\xfe", b"ab", None] * 20,
            "score": np.linspace(0, 1, 60),
            "y": [0, 1] * 30,
        }
    )
    ref.to_parquet(tmp_path / "ref.parquet")
    db = str(tmp_path / "odd.db")
    assert main(["baseline", "--rules", str(tmp_path / "rules.yaml"),
                 "--data", str(tmp_path / "ref.parquet"), "--db", db]) == 0  # fmt: skip
    return tmp_path


def _check(project, inputs, run_id: str = "r1") -> int:
    return main(
        [
            "check", "--rules", str(project / "rules.yaml"), "--run-id", run_id,
            "--inputs", str(inputs), "--db", str(project / "odd.db"), "--no-alerts",
        ]
    )  # fmt: skip


def _results(project, run_id: str = "r1") -> dict[str, tuple[str, str]]:
    with Store(str(project / "odd.db")) as store:
        run = store.run("odd", run_id)
    assert run is not None
    return {
        r.check_id + (f"[{r.subject}]" if r.subject else ""): (r.status, r.message)
        for r in run.results
    }


def test_a_bytes_column_is_profiled_by_length_and_never_decoded(project, capsys):
    pd.DataFrame(
        {"x": [1.0, 2.0, 3.0], "blob": [b"\x80\x81", None, b"abc"],
         "score": [0.1, 0.9, 0.4], "y": [0, 1, 0]}
    ).to_parquet(project / "run.parquet")  # fmt: skip
    assert _check(project, project / "run.parquet") in (0, 1)
    err = capsys.readouterr().err
    assert "UnicodeDecodeError" not in err
    assert "Traceback" not in err
    results = _results(project)
    assert results["drift[blob]"][0] == "skipped"
    assert "binary (bytes)" in results["drift[blob]"][1]
    with Store(str(project / "odd.db")) as store:
        run = store.run("odd", "r1")
        assert run is not None
        profile = store.run_profile(run.pk)
    blob = profile["columns"]["blob"]
    assert (blob["kind"], blob["count"], blob["nulls"]) == ("binary", 2, 1)
    assert (blob["min"], blob["max"]) == (2.0, 3.0)  # lengths in bytes


@pytest.mark.parametrize("kind", ["fifo", "device", "socket"])
def test_only_regular_files_are_read(project, capsys, kind):
    import socket

    path = project / f"odd-{kind}.csv"
    sock = socket.socket(socket.AF_UNIX)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    else:
        sock.bind(str(path))
    try:
        assert _check(project, path) == 3
    finally:
        sock.close()
    err = capsys.readouterr().err.strip()
    assert "only regular files" in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("name", ["header.csv", "zero.parquet"])
def test_0_row_and_header_only_files_give_clear_results(project, capsys, name):
    path = project / name
    if name.endswith(".csv"):
        path.write_text("x,blob,score,y\n")
    else:
        pd.DataFrame(
            {"x": pd.Series([], dtype=float), "score": pd.Series([], dtype=float),
             "y": pd.Series([], dtype="int64")}
        ).to_parquet(path)  # fmt: skip
    assert _check(project, path) == 1  # volume failed: exit 1 by the verdict
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "ZeroDivisionError" not in err
    results = _results(project)
    assert results["rows"][0] == "failed"
    assert results["qual"] == ("skipped", "the run has no rows; no shares to measure")
    assert "no non-null values in the run" in results["drift[x]"][1]


def test_infinite_scores_are_a_clear_errored_metric(project, capsys):
    pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 4.0], "score": [0.1, np.inf, -np.inf, 0.8],
         "y": [0, 1, 0, 1]}
    ).to_csv(project / "inf.csv", index=False)  # fmt: skip
    _check(project, project / "inf.csv")
    err = capsys.readouterr().err
    assert "Traceback" not in err
    status, message = _results(project)["auc"]
    assert status == "errored"
    assert message.startswith("2 prediction value(s) are infinite (inf or -inf)")
