"""Real HTTP servers on 127.0.0.1 that speak like Slack and like a webhook receiver.

:class:`Loopback` runs a ``ThreadingHTTPServer`` in a thread and hands every request
to a ``respond`` function. A ``script`` can make any request fail the way real
services do: HTTP 500, 429 with ``Retry-After``, a stall past the client's timeout
(the request *is* processed: the answer is what gets lost), a dropped connection;
:meth:`Loopback.down` closes the port for a while (connection refused).

:class:`SlackServer` answers ``chat.postMessage`` like the Web API (``ok``,
``channel``, ``ts``) and incoming webhooks (``ok``). :class:`Receiver` is a webhook
receiver that checks the signature and remembers idempotency keys, as a careful
receiver would; both count what they saw.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from modelhealth.alerts.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

Script = Callable[[int], str]
"""Request number -> ``ok``, ``500``, ``429``, ``stall`` or ``drop``."""


def always_ok(_: int) -> str:
    return "ok"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Loopback:
    """A scripted HTTP server on 127.0.0.1; ``respond`` makes the normal answer."""

    respond: Callable[[Request], tuple[int, dict[str, str], bytes]]
    script: Script = always_ok
    stall: float = 0.5
    retry_after: str = "0"
    port: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    _n: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # a connection per request: refusals show

            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer._lock:
                    outer._n += 1
                    action = outer.script(outer._n)
                    outer.counts[action] = outer.counts.get(action, 0) + 1
                if action == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if action == "500":
                    return self._send(500, {}, b"internal error")
                if action == "429":
                    limited = json.dumps({"ok": False, "error": "ratelimited"})
                    headers = {"Retry-After": outer.retry_after}
                    return self._send(429, headers, limited.encode())
                if action == "stall":
                    time.sleep(outer.stall)  # the client gives up; we carry on
                req = Request(self.path, dict(self.headers.items()), body)
                status, headers, payload = outer.respond(req)
                try:
                    self._send(status, headers, payload)
                except OSError:
                    pass

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def start(self) -> Loopback:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def down(self, seconds: float) -> None:
        """Refuse connections for ``seconds``, then listen on the same port again."""
        self.stop()
        time.sleep(seconds)
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def running(server: Loopback) -> Iterator[Loopback]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class SlackServer:
    """``chat.postMessage`` and incoming webhooks, as Slack answers them."""

    token: str = "xoxb-test-token"
    posts: list[dict[str, Any]] = field(default_factory=list)
    hooks: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)

    def respond(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        if req.path.startswith("/hooks/"):
            self.hooks.append(req.json())
            return 200, {"Content-Type": "text/plain"}, b"ok"
        if req.headers.get("Authorization") != f"Bearer {self.token}":
            return 200, {}, json.dumps({"ok": False, "error": "invalid_auth"}).encode()
        if not req.path.endswith("/chat.postMessage"):
            return 404, {}, b"{}"
        payload = req.json()
        key = (
            payload.get("metadata", {})
            .get("event_payload", {})
            .get("idempotency_key", "")
        )
        self.keys[key] = self.keys.get(key, 0) + 1
        self.posts.append(payload)
        ts = f"{1700000000 + len(self.posts)}.000100"
        answer = {"ok": True, "channel": "C0ONCALL", "ts": ts, "message": {}}
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()


@dataclass
class Receiver:
    """A webhook receiver that verifies signatures (unless ``secret`` is ``None``)
    and dedupes on the idempotency key."""

    secret: str | None = "s3cret"
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates: int = 0
    bad_signatures: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def respond(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        ok = self.secret is None or verify(
            self.secret,
            req.body,
            req.headers.get(TIMESTAMP_HEADER, ""),
            req.headers.get(SIGNATURE_HEADER, ""),
        )
        if not ok:
            self.bad_signatures += 1
            return 401, {}, b"bad signature"
        key = req.headers.get("Idempotency-Key", "")
        with self._lock:
            if key in self.delivered:
                self.duplicates += 1
            else:
                self.delivered[key] = req.json()
        return 200, {}, b"ok"
