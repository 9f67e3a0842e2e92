"""GET /v1/channels: the ways to reach a person, without asking a question."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from kb.models import Channel

from ..deps import KB, AcceptLanguage, LocaleParam
from ..openapi import NOT_MODIFIED, READS, error_responses
from ..responses import json_response

router = APIRouter(tags=["answers"])


class ChannelList(BaseModel):
    locale: str = Field(description="The negotiated locale the labels and guidance are in.")
    requested_locale: str | None = Field(description="The `locale` the client asked for, if any.")
    channels: list[Channel] = Field(description="The same list as an answer's top-level `channels`.")


@router.get(
    "/v1/channels",
    response_model=ChannelList,
    summary="Contact channels",
    responses={**NOT_MODIFIED, **error_responses(*READS)},
)
async def list_channels(
    request: Request, kb: KB, locale: LocaleParam = None, accept_language: AcceptLanguage = None
) -> Response:
    """Phone, chat and Twitter with their guidance, in the negotiated locale (values are operator
    configuration, null until set)."""
    chosen = kb.resolve_locale(locale, accept_language)
    body = ChannelList(locale=chosen.locale, requested_locale=chosen.requested, channels=kb.channels(chosen.locale))
    return json_response(request, body)
