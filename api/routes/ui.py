"""GET /v1/ui-strings: the help widget's interface strings, served from the Babel catalogs."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from ..deps import KB, AcceptLanguage, LocaleParam
from ..openapi import NOT_MODIFIED, READS, error_responses
from ..responses import json_response
from ..widget_strings import ui_strings

router = APIRouter(tags=["widget"])


class UIStrings(BaseModel):
    locale: str = Field(description="The negotiated locale the strings are in.")
    requested_locale: str | None = Field(description="The `locale` the client asked for, if any.")
    fallback_used: bool = Field(description="True when the requested locale is not supported.")
    strings: dict[str, str] = Field(description="Key → translated text, {placeholders} kept.")
    plurals: dict[str, dict[str, str]] = Field(
        description="Count messages: key → CLDR plural category → template with {count}."
    )


@router.get(
    "/v1/ui-strings",
    response_model=UIStrings,
    summary="Widget interface strings",
    responses={**NOT_MODIFIED, **error_responses(*READS)},
)
async def get_ui_strings(
    request: Request, kb: KB, locale: LocaleParam = None, accept_language: AcceptLanguage = None
) -> Response:
    """The help widget's interface strings, translated into the negotiated locale."""
    chosen = kb.resolve_locale(locale, accept_language)
    strings, plurals = ui_strings(chosen.locale)
    body = UIStrings(
        locale=chosen.locale,
        requested_locale=chosen.requested,
        fallback_used=chosen.fallback,
        strings=strings,
        plurals=plurals,
    )
    return json_response(request, body)
