"""Issue 9: a store that is up to date opens without importing Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from modelhealth.store import Store
from modelhealth.store.migrate import alembic_config, head


def test_head_read_from_the_files_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    assert head() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_current_store_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mh.db'}"
    with Store(url) as store:
        assert store.upgrade() == head()
    code = (
        "import sys\n"
        "from modelhealth.store import Store\n"
        f"with Store({url!r}) as store:\n"
        "    store.runs('churn')\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_a_new_store_is_migrated(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'new.db'}") as store:
        assert store.runs("churn") == []
        assert store.upgrade() == head()
