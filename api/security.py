"""Bearer tokens: ``KB_ADMIN_TOKEN`` for the admin routes, ``KB_METRICS_TOKEN`` for ``/metrics``.

Admin: no token configured → 404 ``admin_disabled`` (the admin routes are off). Metrics: no
token configured → open (the operator keeps ``/metrics`` inside the monitoring network). Then,
for both: no bearer token → 401 ``unauthorized`` with ``WWW-Authenticate: Bearer``; another
token → 403 ``forbidden``. The comparison takes the same time whatever the token
(``hmac.compare_digest``).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from .deps import SettingsDep
from .errors import APIError, ErrorCode

bearer = HTTPBearer(auto_error=False, scheme_name="AdminToken", description="The value of KB_ADMIN_TOKEN.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _check_bearer(credentials: HTTPAuthorizationCredentials | None, token: SecretStr, what: str) -> None:
    if credentials is None:
        message = f"{what} need Authorization: Bearer <token>"
        raise APIError(ErrorCode.UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(credentials.credentials.encode(), token.get_secret_value().encode()):
        raise APIError(ErrorCode.FORBIDDEN, f"wrong token for {what}")


async def require_admin(settings: SettingsDep, credentials: Credentials) -> None:
    """Let the request through only with the admin token."""
    token = settings.admin_token
    if token is None:
        raise APIError(ErrorCode.ADMIN_DISABLED, "admin routes are off: set KB_ADMIN_TOKEN to turn them on")
    _check_bearer(credentials, token, "admin routes")


async def require_metrics_token(settings: SettingsDep, credentials: Credentials) -> None:
    """Let the scrape through: with the metrics token when one is set, freely otherwise."""
    token = settings.metrics_token
    if token is not None:
        _check_bearer(credentials, token, "metrics")
