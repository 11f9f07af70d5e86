"""The HTTP API of the service (FastAPI): :func:`create_app` builds it from settings.

``app.py`` assembles the app; ``settings.py`` holds :class:`ServiceSettings`;
``auth.py`` the bearer-token dependencies; ``errors.py`` the one JSON error shape;
``api.py`` the ``/api/v1`` routes; ``metrics.py`` the Prometheus ``/metrics`` text.
FastAPI is imported only when this package is, never by ``import monitor``.
"""

from __future__ import annotations

from modelhealth.config import ServiceSettings
from modelhealth.service.http.app import create_app

__all__ = ["ServiceSettings", "create_app"]
