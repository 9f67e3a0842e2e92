"""Admin authentication: ``Authorization: Bearer <KB_ADMIN_TOKEN>``.

No token configured → 404 ``admin_disabled`` (the admin routes are off); no bearer token →
401 ``unauthorized`` with ``WWW-Authenticate: Bearer``; another token → 403 ``forbidden``. The
comparison takes the same time whatever the token (``hmac.compare_digest``).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import APIError

bearer = HTTPBearer(auto_error=False, scheme_name="AdminToken", description="The value of KB_ADMIN_TOKEN.")


async def require_admin(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """Let the request through only with the admin token."""
    token = request.app.state.settings.admin_token
    if token is None:
        raise APIError(404, "admin_disabled", "admin routes are off: set KB_ADMIN_TOKEN to turn them on")
    if credentials is None:
        message = "admin routes need Authorization: Bearer <token>"
        raise APIError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(credentials.credentials.encode(), token.get_secret_value().encode()):
        raise APIError(403, "forbidden", "wrong admin token")
