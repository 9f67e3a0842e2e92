"""The shapes the library returns: the same JSON the HTTP API and `kb search --json` print.

Field names here are a contract with integrators (see the README): add, never rename.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Intent = Literal["refund", "auto_renew", "contact"]
INTENTS: tuple[str, ...] = get_args(Intent)
ChannelKind = Literal["phone", "chat", "twitter"]
# An article's id (its file name): lowercase letters and digits, words joined by single hyphens.
ARTICLE_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ARTICLE_ID_MAX_CHARS = 80
ArticleId = Annotated[str, StringConstraints(pattern=ARTICLE_ID_PATTERN, max_length=ARTICLE_ID_MAX_CHARS)]
MAX_QUERY_CHARS = 500  # the longest question or search the API accepts and the engine reads


class FoundPhrase(BaseModel):
    name: str = Field(
        description="What the words mean: a concept, or a purchase channel ('other': a place not covered)."
    )
    phrase: str = Field(description="The words of the question that said it.")


class TimeSpan(BaseModel):
    days: int = Field(description="How long ago, in days.")
    phrase: str


class Interpretation(BaseModel):
    """How the question was read, before any ranking."""

    language: str | None = Field(description="The question's language when its words say so clearly.")
    concepts: list[FoundPhrase] = Field(
        description=(
            "refund, cancel, renewal, charge, unwanted (a charge not wanted), contact, purchase, fees (shipping or"
            " handling), unsure (where it was bought is not known); in order."
        ),
    )
    purchase_channel: FoundPhrase | None = Field(description="Where the question says the subscription was bought.")
    time_span: TimeSpan | None
    out_of_scope: str | None = Field(description="Words naming a subject this help center does not cover.")
    filler: list[str] = Field(description="Words set aside as conversation (greetings, politeness).")
    words: list[str] = Field(description="The words searched.")
    dropped: list[str] = Field(description="Words beyond the bound, not searched.")


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
    intent: Intent
    summary: str


class SearchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "remboursement",
                    "locale": "en",
                    "requested_locale": "en",
                    "total": 5,
                    "has_more": False,
                    "suggestions": [],
                    "limit": 10,
                    "offset": 0,
                    "generation": "20261126T112225Z-44bdb1",
                    "results": [
                        {
                            "article_id": "refund-policy",
                            "locale": "en",
                            "fallback_used": False,
                            "title": "Getting a Norton refund: conditions and the 60-day limit",
                            "section": "deadline",
                            "section_title": "How long you have to ask for a refund",
                            "snippet": "You have 60 days from the date of purchase to request a <mark>refund</mark>.",
                            "score": 17.2,
                            "url": "/articles/en/refund-policy",
                            "intent": "refund",
                            "summary": "You can ask for a refund of a Norton subscription within 60 days of purchase.",
                        }
                    ],
                }
            ]
        }
    )

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
    interpretation: Interpretation | None = None


class Channel(BaseModel):
    kind: ChannelKind
    label: str
    description: str = Field(description="Guidance from the contact-support article, in the answer's locale.")
    value: str | None = Field(
        description="Phone number, chat URL or handle set by the operator; null until configured."
    )
    recommended: bool = False
    url: str | None = Field(
        None,
        description="The contact article's section on this channel (from `KB_ARTICLE_URL_TEMPLATE`): where "
        "to read how to reach a person, useful above all while `value` is null.",
    )


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


class RelatedArticle(BaseModel):
    article_id: str
    title: str
    url: str


class AnswerResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "how do I get my money back",
                    "locale": "en",
                    "requested_locale": "en",
                    "intent": "refund",
                    "confidence": 0.95,
                    "message": "How to get a refund depends on where you bought your subscription.",
                    "answer": {
                        "article_id": "refund-policy",
                        "locale": "en",
                        "fallback_used": False,
                        "title": "Getting a Norton refund: conditions and the 60-day limit",
                        "summary": "You can ask for a refund of a Norton subscription within 60 days of purchase.",
                        "steps": [],
                        "channels": [],
                        "sources": [{"article_id": "refund-policy", "locale": "en", "section": "where-bought"}],
                        "url": "/articles/en/refund-policy",
                        "updated": "2026-11-20",
                        "updated_display": "November 20, 2026",
                    },
                    "follow_up": {
                        "question": "Where did you buy your subscription?",
                        "options": [
                            {"label": "On the Norton online store", "article_id": "refund-norton-store"},
                            {"label": "In a shop or from another retailer", "article_id": "refund-third-party"},
                            {"label": "On Apple's App Store", "article_id": "refund-app-store"},
                            {
                                "label": "Through my internet or service provider",
                                "article_id": "refund-service-provider",
                            },
                        ],
                    },
                    "channels": [
                        {
                            "kind": "phone",
                            "label": "Phone",
                            "value": None,
                            "recommended": True,
                            "description": "Phone is the best way to talk to a representative.",
                        }
                    ],
                }
            ]
        }
    )

    query: str
    locale: str
    requested_locale: str | None
    intent: Intent | None
    answer: Answer | None
    confidence: float = Field(ge=0, le=1)
    follow_up: FollowUp | None
    message: str | None
    channels: list[Channel]
    generation: str | None = None
    related: list[RelatedArticle] = Field(
        default_factory=list, description="Another article the question also asks for (stopping as well as a refund)."
    )
    interpretation: Interpretation | None = None
