"""The store under conditions a deployment meets: racing processes, secrets in URLs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from monitor.errors import StorageError
from monitor.store import Store
from monitor.store.urls import mask

OPEN = textwrap.dedent(
    """
    import sys
    from monitor.store import Store
    Store(sys.argv[1]).close()
    print("ok")
    """
)


def test_processes_opening_a_new_sqlite_store_together_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [out.strip() for out, _ in outcomes] == ["ok"] * 3, [e for _, e in outcomes]


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+psycopg://u:pw@h/db", "postgresql+psycopg://u:***@h/db"),
        (
            "postgresql+psycopg://u@h/db?password=s3cret&sslmode=require",
            "postgresql+psycopg://u@h/db?password=***&sslmode=require",
        ),
    ],
)
def test_passwords_are_masked(url, masked):
    assert mask(url) == masked


def test_query_password_is_not_in_errors():
    with pytest.raises(StorageError) as info:
        Store("postgresql+psycopg://nobody@127.0.0.1:1/x?password=qsecret2")
    assert "qsecret2" not in str(info.value)
