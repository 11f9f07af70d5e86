"""Secrets for channels: named in the rules, read from the environment, never kept.

A rules file names the *variable* that holds a token (``token_env:
SLACK_BOT_TOKEN``), never the token. That is what lets the outbox store a route's
settings next to each waiting message, and a later ``modelhealth alerts flush``
rebuild the channel, without a secret ever reaching the database, a log line or an
error message. The value is read when a channel is built and held as a pydantic
:class:`~pydantic.SecretStr`; :func:`redact` scrubs it from any text a library
hands back.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr

__all__ = [
    "EnvName",
    "allow_unset",
    "check_url",
    "missing_env",
    "read_secret",
    "redact",
]

EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
"""The name of an environment variable, e.g. ``SLACK_BOT_TOKEN``."""


_unset: ContextVar[list[str] | None] = ContextVar("unset_secrets", default=None)


@contextmanager
def allow_unset() -> Iterator[list[str]]:
    """Within it, a route whose secret variable is unset still validates.

    Secrets are needed when a message is sent, not when a rules file is read:
    ``rules validate`` and ``baseline`` run where the production secrets are not
    (a pipeline's CI). The sentence for each unset variable is appended to the list
    this yields; building the channel to send still fails with it.
    """
    found: list[str] = []
    token = _unset.set(found)
    try:
        yield found
    finally:
        _unset.reset(token)


def missing_env(**names: str | None) -> str | None:
    """A sentence naming the first unset variable, or ``None`` when all are set.

    Inside :func:`allow_unset`, the sentences are recorded there instead, and the
    result is ``""``: no problem to raise, and nothing to read either.

    Args:
        **names: ``{key: variable name}``, e.g. ``token_env="SLACK_BOT_TOKEN"``.
    """
    unset = [
        f"environment variable {name!r} ({key}) is not set"
        for key, name in names.items()
        if name is not None and not os.environ.get(name)
    ]
    if not unset:
        return None
    allowed = _unset.get()
    if allowed is None:
        return unset[0]
    allowed.extend(unset)
    return ""


def read_secret(name: str) -> SecretStr:
    """The value of variable ``name`` as a secret.

    Raises:
        ValueError: the variable is unset or empty.
    """
    value = os.environ.get(name)
    if not value:
        raise ValueError(f"environment variable {name!r} is not set")
    return SecretStr(value)


def check_url(url: str, what: str) -> str | None:
    """Why ``url`` is not an http(s) URL with a host, or ``None`` when it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{what} must be an http:// or https:// URL with a host"
    return None


_MIN_PART = 4
"""Shorter pieces of a secret are not searched for: masking ``s`` inside every word
would reveal it (``refu***ed``) rather than hide it."""


def _pieces(secret: str) -> list[str]:
    """The secret, and for a URL also its path and query: a receiver that echoes
    the path it was called on (``404 /hook/T0K3N``) must not leak the secret."""
    pieces = [secret]
    parts = urlsplit(secret)
    if parts.scheme and parts.netloc:
        pieces += [parts.path, parts.query]
        pieces += [seg for seg in parts.path.split("/") if len(seg) >= 8]
    return sorted({p for p in pieces if len(p) >= _MIN_PART}, key=len, reverse=True)


def redact(text: str, *secrets: SecretStr | None) -> str:
    """``text`` with every secret masked: its value, and for a secret URL its path,
    query and long path segments; Slack tokens and ``token=``/``key=`` query values
    are masked wherever they appear."""
    for secret in secrets:
        if secret is not None and secret.get_secret_value():
            for piece in _pieces(secret.get_secret_value()):
                text = text.replace(piece, "***")
    text = re.sub(r"(xox[abposr]-)[A-Za-z0-9-]+", r"\1***", text)
    return re.sub(
        r"([?&](?:token|key|secret|password|sig|signature)=)[^&\s'\"]+",
        r"\1***",
        text,
        flags=re.IGNORECASE,
    )
