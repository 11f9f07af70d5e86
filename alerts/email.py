"""``email``: alerts by SMTP, for teams without chat (standard library only).

The subject is the alert's title and the body its plain text. Each message's
``Message-ID`` is built from its idempotency key, and a resolution sets
``In-Reply-To``/``References`` to the opening message's id, so mail clients thread
them. ``security`` picks STARTTLS (port 587), implicit TLS (465) or none (a local
relay). The SMTP connection comes from ``connect``, so tests can aim it at an SMTP
server on 127.0.0.1.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from typing import Annotated, Literal

from pydantic import Field, model_validator

from modelhealth.alerts._secrets import EnvName, missing_env, read_secret, redact
from modelhealth.alerts.base import Alert, Channel, Delivery
from modelhealth.alerts.render import render_text, title
from modelhealth.rules.models import ChannelParams

__all__ = ["EmailChannel", "EmailParams"]

_Address = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]


class EmailParams(ChannelParams):
    """Mail alerts through an SMTP server."""

    channel: Literal["email"] = "email"
    to: list[_Address] = Field(min_length=1)
    sender: _Address
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username_env: EnvName | None = None
    password_env: EnvName | None = None
    timeout: float = Field(default=10.0, gt=0, le=120)

    @model_validator(mode="after")
    def _login(self) -> EmailParams:
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError("email needs username_env and password_env, or neither")
        problem = missing_env(
            username_env=self.username_env, password_env=self.password_env
        )
        if problem:
            raise ValueError(problem)
        return self


def _connect(params: EmailParams) -> smtplib.SMTP:
    if params.security == "ssl":
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(
            params.host, params.port, timeout=params.timeout, context=context
        )
    smtp = smtplib.SMTP(params.host, params.port, timeout=params.timeout)
    if params.security == "starttls":
        smtp.starttls(context=ssl.create_default_context())
    return smtp


class EmailChannel(Channel):
    """Sends each alert as one mail over a fresh SMTP connection."""

    params_type = EmailParams

    def __init__(
        self,
        params: ChannelParams,
        connect: Callable[[EmailParams], smtplib.SMTP] = _connect,
    ) -> None:
        super().__init__(params)
        assert isinstance(params, EmailParams)
        self._p = params
        self._connect = connect
        self._password = (
            read_secret(params.password_env) if params.password_env else None
        )

    def message(self, alert: Alert) -> EmailMessage:
        """The mail for one alert."""
        mail = EmailMessage()
        mail["Subject"] = title(alert)
        mail["From"] = self._p.sender
        mail["To"] = ", ".join(self._p.to)
        domain = self._p.sender.rpartition("@")[2]
        mail["Message-ID"] = f"<{alert.key or id(alert)}@{domain}>"
        if alert.key:
            mail["Idempotency-Key"] = alert.key
        parent = alert.reply_to.get("message_id")
        if parent:
            mail["In-Reply-To"] = parent
            mail["References"] = parent
        mail.set_content(render_text(alert) + "\n")
        return mail

    def send(self, alert: Alert) -> Delivery:
        mail = self.message(alert)
        try:
            with self._connect(self._p) as smtp:
                if self._password is not None and self._p.username_env:
                    user = read_secret(self._p.username_env).get_secret_value()
                    smtp.login(user, self._password.get_secret_value())
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            detail = redact(f"{type(exc).__name__}: {exc}", self._password)
            return Delivery(channel=self.name, ok=False, detail=detail)
        ref = {"message_id": str(mail["Message-ID"])}
        return Delivery(channel=self.name, ok=True, ref=ref)
