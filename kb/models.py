"""The shapes the library returns: the same JSON the HTTP API and `kb search --json` print.

Field names here are a contract with integrators (see the README): add, never rename.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

IntentName = Literal["refund", "auto_renew", "contact"]
ChannelKind = Literal["phone", "chat", "twitter"]


class SearchHit(BaseModel):
    article_id: str
    locale: str = Field(description="Locale of the returned text.")
    fallback_used: bool = Field(description="True when the article is not available in the requested locale.")
    title: str
    section: str | None = Field(description="Anchor of the best-matching section.")
    section_title: str | None = None
    snippet: str = Field(description="HTML-escaped text; only matched words are wrapped in <mark>…</mark>.")
    score: float
    url: str
    intent: IntentName
    summary: str


class SearchResponse(BaseModel):
    query: str
    locale: str
    requested_locale: str | None
    total: int
    has_more: bool
    suggestions: list[str] = Field(description="'Did you mean' spellings when the query looks misspelled.")
    results: list[SearchHit]
    limit: int
    offset: int
    generation: str | None = None


class Channel(BaseModel):
    kind: ChannelKind
    label: str
    description: str = Field(description="Guidance from the contact-support article, in the answer's locale.")
    value: str | None = Field(
        description="Phone number, chat URL or handle set by the operator; null until configured."
    )
    recommended: bool = False


class Source(BaseModel):
    article_id: str
    locale: str
    section: str


class Answer(BaseModel):
    article_id: str
    locale: str
    fallback_used: bool
    title: str
    summary: str
    steps: list[str]
    channels: list[Channel]
    sources: list[Source]
    url: str
    updated: str
    updated_display: str = Field(description="The update date formatted for the locale.")


class FollowUpOption(BaseModel):
    label: str
    article_id: str


class FollowUp(BaseModel):
    question: str
    options: list[FollowUpOption]


class AnswerResponse(BaseModel):
    query: str
    locale: str
    requested_locale: str | None
    intent: IntentName | None
    answer: Answer | None
    confidence: float = Field(ge=0, le=1)
    follow_up: FollowUp | None
    message: str | None
    channels: list[Channel]
    generation: str | None = None
