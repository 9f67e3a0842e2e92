"""GET /v1/locales."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kb.locales import display_name

from ..deps import KB
from ..errors import ErrorCode
from ..openapi import NOT_MODIFIED, error_responses
from ..responses import json_response
from ..schemas import LocaleInfo, LocaleList

router = APIRouter(tags=["locales"])


@router.get(
    "/v1/locales",
    response_model=LocaleList,
    summary="Supported locales",
    responses={**NOT_MODIFIED, **error_responses(ErrorCode.RATE_LIMITED, ErrorCode.INDEX_UNAVAILABLE)},
)
async def locales(request: Request, kb: KB) -> Response:
    """The locales articles are written in, with their names from Babel."""
    items = [LocaleInfo(code=c, name=display_name(c), english_name=display_name(c, "en")) for c in kb.locales]
    return json_response(request, LocaleList(default=kb.served_default_locale, locales=items))
