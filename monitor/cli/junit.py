"""JUnit XML for CI servers: ``--junit-xml FILE`` of ``check``, ``gate`` and ``labels``.

Jenkins (``junit`` step), GitHub Actions (test-report actions), GitLab and most CI
servers read this format and show each entry as a test. The mapping, one
``<testcase>`` per result in the order ``--json`` lists them:

- ``classname`` is ``modelhealth.<model>.<check id>``; ``name`` is the check id with
  its subject in brackets (``feature-drift[age]``), as in the terminal summary;
- ``failed`` -> a ``<failure>`` element, ``errored`` -> an ``<error>`` element,
  ``skipped`` -> ``<skipped>``; ``passed`` and ``warned`` pass (a warning is written
  to the case's ``<system-out>``, since JUnit has no warning state);
- the element's ``message`` attribute is the result's message; its text adds the
  status, kind, severity, observed value and threshold;
- ``<properties>`` of the suite carry the model, run (or candidate version) and the
  report link when one is configured.

Only the standard library is used, so writing the file costs nothing at start-up.
"""

from __future__ import annotations

import contextlib
import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelhealth.checks.base import CheckResult
    from modelhealth.report import RunReport
    from modelhealth.run.gate import GateVerdict

__all__ = [
    "case_name",
    "gate_xml",
    "report_xml",
    "write_junit",
    "write_report_junit",
]


def case_name(result: CheckResult) -> str:
    """``check-id`` or ``check-id[subject]``: one test case's name."""
    return result.check_id + (f"[{result.subject}]" if result.subject else "")


def _number(value: float | None) -> str:
    if value is None:
        return "none"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.6g}"


def _detail(result: CheckResult) -> str:
    threshold = ", ".join(f"{k}={_number(v)}" for k, v in result.threshold.items())
    lines = [
        f"status: {result.status.value}",
        f"kind: {result.kind}",
        f"severity: {result.severity.value}",
        f"observed value: {_number(result.value)}",
        f"threshold: {threshold or 'none'}",
    ]
    if result.message:
        lines.append(f"message: {result.message}")
    return "\n".join(lines)


def _case(parent: ET.Element, classname: str, result: CheckResult) -> None:
    seconds = max((result.finished_at - result.started_at).total_seconds(), 0.0)
    case = ET.SubElement(
        parent,
        "testcase",
        classname=f"{classname}.{result.check_id}",
        name=case_name(result),
        time=f"{seconds:.3f}",
    )
    status = result.status.value
    message = result.message or f"{case_name(result)} {status}"
    if status == "failed":
        element = ET.SubElement(case, "failure", message=message, type=status)
        element.text = _detail(result)
    elif status == "errored":
        element = ET.SubElement(case, "error", message=message, type=status)
        element.text = _detail(result)
    elif status == "skipped":
        ET.SubElement(case, "skipped", message=message)
    elif status == "warned":
        ET.SubElement(case, "system-out").text = "WARNING\n" + _detail(result)


def _suite(
    name: str,
    classname: str,
    results: Sequence[CheckResult],
    properties: Mapping[str, str | None],
    timestamp: datetime,
    seconds: float,
) -> ET.Element:
    def count(status: str) -> str:
        return str(sum(r.status.value == status for r in results))

    root = ET.Element(
        "testsuites",
        name="modelhealth",
        tests=str(len(results)),
        failures=count("failed"),
        errors=count("errored"),
        skipped=count("skipped"),
        time=f"{seconds:.3f}",
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        name=name,
        tests=str(len(results)),
        failures=count("failed"),
        errors=count("errored"),
        skipped=count("skipped"),
        timestamp=timestamp.isoformat(),
        time=f"{seconds:.3f}",
    )
    props = ET.SubElement(suite, "properties")
    for key, value in properties.items():
        if value is not None:
            ET.SubElement(props, "property", name=key, value=value)
    for result in results:
        _case(suite, classname, result)
    return root


def report_xml(report: RunReport, report_url: str | None = None) -> ET.Element:
    """The JUnit tree of a checked run (``check``, ``labels``), worst first."""
    return _suite(
        f"modelhealth.{report.model}.{report.run_id}",
        f"modelhealth.{report.model}",
        report.worst_first(),  # the order of --json
        {
            "model": report.model,
            "run_id": report.run_id,
            "model_version": report.model_version,
            "status": report.status.value,
            "reference": report.reference,
            "report_url": report_url,
        },
        report.started_at,
        (report.finished_at - report.started_at).total_seconds(),
    )


def gate_xml(verdict: GateVerdict) -> ET.Element:
    """The JUnit tree of a gate verdict (``gate``)."""
    seconds = sum(
        (r.finished_at - r.started_at).total_seconds() for r in verdict.results
    )
    return _suite(
        f"modelhealth.{verdict.model}.gate.{verdict.candidate_version}",
        f"modelhealth.{verdict.model}.gate",
        verdict.results,
        {
            "model": verdict.model,
            "candidate_version": verdict.candidate_version,
            "baseline_version": verdict.baseline_version,
            "passed": str(verdict.passed).lower(),
        },
        verdict.created_at,
        seconds,
    )


def write_junit(path: str | os.PathLike[str], tree: ET.Element) -> Path:
    """Write ``tree`` to ``path`` (parents created), atomically; return the path.

    Raises:
        UsageError: the file cannot be written (a folder, no permission...).
    """
    from modelhealth.errors import UsageError

    target = Path(path)
    ET.indent(tree)
    data = ET.tostring(tree, encoding="utf-8", xml_declaration=True)
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data + b"\n")
        os.replace(partial, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise UsageError(
            f"cannot write the JUnit XML file {str(target)!r}: {exc.strerror or exc}"
        ) from None
    return target


def write_report_junit(path: str | os.PathLike[str], report: RunReport) -> Path:
    """Write a checked run's JUnit XML, with its report link when one is configured."""
    from modelhealth.config import report_link

    return write_junit(
        path, report_xml(report, report_url=report_link(report.model, report.run_id))
    )
