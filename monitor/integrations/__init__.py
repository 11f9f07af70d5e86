"""Where pipelines live: one module per orchestrator, each an optional extra.

``modelhealth.integrations.luigi``, ``.prefect``, ``.dagster``, ``.mlflow``,
``.metaflow`` and ``.airflow`` each import their orchestrator at import time, after
checking that its installed version is one they support
(:func:`~modelhealth.integrations._common.require`), so importing this package costs
nothing and importing a module whose orchestrator is absent or too old ends in one
clear sentence naming the supported range and the extra to install
(``pip install 'modelhealth[luigi]'``).

Every integration checks a run through the Python API
(:func:`modelhealth.check_run`) and fails its task through
:func:`~modelhealth.integrations._common.check_or_fail`, whose
:class:`~modelhealth.integrations._common.TaskChecksFailed` says in one paragraph
which model, run and checks failed and where the report is. docs/integrations/ has a
page per integration.
"""

from __future__ import annotations

__all__: list[str] = []
