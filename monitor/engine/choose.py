"""Which engine reads a run: the one place an engine is chosen and imported.

The Spark engine is imported only here, and only when asked for, so that start-up
never pays for pyspark.
"""

from __future__ import annotations

from modelhealth.engine.base import ENGINES, Engine, EngineSettings
from modelhealth.errors import UsageError

__all__ = ["get_engine"]


def get_engine(settings: EngineSettings | str | None = None) -> Engine:
    """The engine the settings name, imported only now.

    Raises:
        UsageError: an unknown engine name, or the engine's extra is missing
            (e.g. ``pip install 'modelhealth[spark]'``).
    """
    if settings is None or isinstance(settings, str):
        settings = EngineSettings.from_env(name=settings)
    if settings.name == "local":
        from modelhealth.engine.local import LocalEngine

        return LocalEngine(settings)
    if settings.name == "spark":
        from modelhealth.engine.spark import SparkEngine  # type: ignore[import-not-found,unused-ignore]

        return SparkEngine(settings)  # type: ignore[no-any-return,unused-ignore]
    raise UsageError(
        f"unknown engine {settings.name!r}; use one of: {', '.join(ENGINES)}"
    )
