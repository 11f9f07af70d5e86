# The two commands of the README, and the pieces they are made of.
# Each creates .venv when it is absent.

.PHONY: demo test lint typecheck unit bench setup setup-dev clean analysis-tree integrations

demo: setup
	.venv/bin/modelhealth demo

test: setup-dev lint typecheck unit

setup:
	@scripts/setup.sh

setup-dev:
	@scripts/setup.sh dev

# mypy and import-linter read the installed layout (modelhealth.*) from build/analysis
analysis-tree:
	@.venv/bin/python scripts/analysis_tree.py

lint: setup-dev analysis-tree
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	PYTHONPATH=build/analysis .venv/bin/lint-imports

typecheck: setup-dev analysis-tree
	.venv/bin/mypy

unit: setup-dev
	.venv/bin/pytest --cov --cov-report=term

# each orchestrator in its own environment, .venv-int/<name> (docs/integrations/);
# `make test` with CI=true creates them too (tests/integrations/test_venvs.py)
INTEGRATIONS ?= luigi prefect dagster mlflow metaflow airflow

integrations: setup-dev
	@for name in $(INTEGRATIONS); do scripts/integration_env.sh $$name || exit 1; done
	.venv/bin/pytest tests/integrations -q -rs

bench: setup-dev
	.venv/bin/python benchmarks/run.py

clean:
	rm -rf .venv .venv-int build modelhealth-demo .pytest_cache .mypy_cache .ruff_cache .coverage
