"""Issue 9: start-up pays only for what a rules file uses.

Loading a rules file that uses every check kind and routes to Slack, a webhook and
email imports none of the channels' clients, no data library and not the store:
those load when a run is checked, an alert is sent, or the store is opened.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    *("pandas", "httpx", "slack_sdk", "sqlalchemy", "alembic", "pandera", "sklearn"),
    "pyspark",  # only when the spark engine is asked for (docs/spark.md)
)

LOAD = """
import sys
from modelhealth.config import load_rules
rule_set = load_rules(sys.argv[1])
assert {c.kind for c in rule_set.checks} >= {"schema", "drift", "metric"}
assert {r.channel for r in rule_set.alerts} >= {"slack", "webhook", "email"}
heavy = %r
print(",".join(m for m in heavy if m in sys.modules))
"""


ROUTES = """\
version: 1
extends: {example}
alerts:
  - {{channel: slack, token_env: STARTUP_SLACK_TOKEN, to: "#ml-oncall"}}
  - {{channel: webhook, url: "https://hooks.example.com/modelhealth"}}
  - {{channel: email, to: [oncall@example.com], sender: mh@example.com,
      host: smtp.example.com}}
"""


def test_loading_rules_imports_no_client_data_library_or_store(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "churn.yaml"
    rules.write_text(ROUTES.format(example=ROOT / "examples" / "rules.yaml"))
    env = {**os.environ, "STARTUP_SLACK_TOKEN": "xoxb-startup-test"}
    out = subprocess.run(
        [sys.executable, "-c", LOAD % (HEAVY,), str(rules)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


PAGERS = """\
version: 1
extends: {example}
alerts:
  - {{channel: pagerduty, routing_key_env: STARTUP_PD_KEY}}
  - {{channel: teams, url_env: STARTUP_TEAMS_URL}}
"""

PAGERS_LOAD = """
import sys
from modelhealth.config import load_rules
rule_set = load_rules(sys.argv[1])
assert {r.channel for r in rule_set.alerts} >= {"pagerduty", "teams"}
heavy = %r
print(",".join(m for m in heavy if m in sys.modules))
"""


def test_pagerduty_and_teams_routes_import_no_client(tmp_path: Path) -> None:
    rules = tmp_path / "churn.yaml"
    rules.write_text(PAGERS.format(example=ROOT / "examples" / "rules.yaml"))
    env = {
        **os.environ,
        "STARTUP_PD_KEY": "startup-routing-key",
        "STARTUP_TEAMS_URL": "https://teams.example.com/webhook",
    }
    out = subprocess.run(
        [sys.executable, "-c", PAGERS_LOAD % (HEAVY,), str(rules)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


HELP = """
import sys
from modelhealth.cli import main
code = main(["--help"])
heavy = %r
print(code, ",".join(m for m in heavy if m in sys.modules))
"""


def test_help_imports_nothing_heavy() -> None:
    out = subprocess.run(
        [sys.executable, "-c", HELP % ((*HEAVY, "numpy", "pydantic"),)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.splitlines()[-1].strip() == "0"
