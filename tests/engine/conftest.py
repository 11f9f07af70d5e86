"""Fixtures of the Spark engine tests: one ``local[2]`` session for the whole run.

The suite needs pyspark 4 and Java. Where either is missing it skips with the
reason; under ``CI=true`` it fails instead, since CI installs both
(``scripts/setup.sh`` adds the ``spark`` extra there, ``.ci/run`` the JDK).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from modelhealth.engine import EngineSettings


def spark_missing() -> str | None:
    """Why the Spark suite cannot run here, or ``None``."""
    import importlib.util

    from modelhealth.engine.spark_session import require_java
    from modelhealth.errors import UsageError

    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'modelhealth[spark]')"
    try:
        require_java()
    except UsageError as exc:
        return str(exc)
    return None


@pytest.fixture(scope="session")
def spark_engine_settings() -> EngineSettings:
    """The settings of the engine that starts the suite's session."""
    return EngineSettings(name="spark", spark_master="local[2]")


@pytest.fixture(scope="session")
def spark(spark_engine_settings: EngineSettings) -> Iterator[object]:
    """The suite's SparkSession, started by a Spark engine (and stopped by it)."""
    reason = spark_missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Spark suite must run in CI: {reason}")
        pytest.skip(reason)
    from modelhealth.engine import get_engine

    engine = get_engine(spark_engine_settings)
    session = engine.session  # type: ignore[attr-defined]
    session.conf.set("spark.sql.shuffle.partitions", "4")
    # one partition per part file, so that an empty part is an empty partition
    session.conf.set("spark.sql.files.openCostInBytes", str(1 << 30))
    yield session
    engine.close()
    from pyspark import SparkContext

    assert SparkContext._active_spark_context is None, "the engine left its session"
