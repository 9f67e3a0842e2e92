"""Turn a question into the one answer the knowledge base holds for it.

The search ranking picks the article; the answer carries that article's steps verbatim (so it
is grounded in the article's text in that locale), the contact channels with guidance from the
``contact-support`` article, and, for a refund question that does not say where the
subscription was bought, a follow-up question whose options are the purchase-channel articles.
Questions the knowledge base cannot answer get ``answer: null`` and the contact channels,
never a random article.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import get_args

import yaml
from babel.dates import format_date

from .content import Article
from .decision import CONTACT_ARTICLE, RANKING_THRESHOLD, Decider, Decision
from .errors import ArticleNotFoundError
from .i18n import N_, gettext
from .locales import NegotiatedLocale
from .models import (
    Answer,
    AnswerResponse,
    Channel,
    ChannelKind,
    FollowUp,
    FollowUpOption,
    RelatedArticle,
    Source,
)
from .planning import QueryPlan
from .ranking import RankedArticle
from .search import SearchEngine

CHANNEL_KINDS: tuple[str, ...] = get_args(ChannelKind)

CHANNEL_LABELS = {"phone": N_("Phone"), "chat": N_("Live chat"), "twitter": N_("Twitter")}
PURCHASE_CHANNEL_LABELS = {
    "norton_store": N_("On the Norton online store"),
    "third_party": N_("In a shop or from another retailer"),
    "app_store": N_("On Apple's App Store"),
    "service_provider": N_("Through my internet or service provider"),
}
FOLLOW_UP_QUESTION = N_("Where did you buy your subscription?")
SOMEWHERE_ELSE = N_("Somewhere else")
FOLLOW_UP_MESSAGE = N_("How to get a refund depends on where you bought your subscription.")
NO_ANSWER_MESSAGE = N_(
    "This help center has no answer to that question. You can reach a person through the channels below."
)
ChannelValues = dict[str, dict[str, str | None]]


def load_channel_values(path: Path | None) -> ChannelValues:
    """Read the operator's contact values (``kind → {locale|default → value}``); empty if no file."""
    if path is None or not Path(path).exists():
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must map channel kinds ({', '.join(CHANNEL_KINDS)}) to values")
    values: ChannelValues = {}
    for kind, per_locale in data.items():
        if kind not in CHANNEL_KINDS:
            raise ValueError(f"{path}: unknown channel kind {kind!r} (expected {', '.join(CHANNEL_KINDS)})")
        if isinstance(per_locale, str) or per_locale is None:
            per_locale = {"default": per_locale}
        if not isinstance(per_locale, dict):
            raise ValueError(f"{path}: {kind} must map locales (or 'default') to a value")
        for locale, value in per_locale.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{path}: {kind}.{locale} must be text or null")
            if kind == "chat" and value and not value.startswith("https://"):
                raise ValueError(f"{path}: chat.{locale} must be an https:// URL")
        values[kind] = {
            str(k): (v.strip() if isinstance(v, str) and v.strip() else None) for k, v in per_locale.items()
        }
    return values


class Answerer:
    """Answers for one index generation."""

    def __init__(
        self,
        engine: SearchEngine,
        channel_values: ChannelValues,
        default_locale: str,
        article_url: Callable[[str, str, str | None], str],
    ):
        self.engine = engine
        self.channel_values = channel_values
        self.default_locale = default_locale
        self.article_url = article_url
        self.channel_articles: dict[str, str] = {
            str(a.purchase_channel): a.id for a in engine.generation.articles if a.purchase_channel
        }
        self.decider = Decider(
            {a.id: a.intent for a in engine.generation.articles}, self.channel_articles, engine.finds_anything
        )

    # -- pieces ---------------------------------------------------------------------------
    def channels(self, locale: str) -> list[Channel]:
        found = self.engine.article_in(CONTACT_ARTICLE, locale, self.default_locale)
        contact = found[0] if found else None
        result = []
        for kind in CHANNEL_KINDS:
            section = contact.section(kind) if contact else None
            description = section.paragraphs[0] if section and section.paragraphs else ""
            per_locale = self.channel_values.get(kind, {})
            value = per_locale.get(locale) or per_locale.get("default")
            url = None
            if contact is not None:
                url = self.article_url(CONTACT_ARTICLE, contact.locale, kind)
                url = url if "#" in url else f"{url}#{kind}"  # the channel's own section
            result.append(
                Channel(
                    kind=kind,
                    label=gettext(locale, CHANNEL_LABELS[kind]),
                    description=description,
                    value=value,
                    recommended=kind == "phone",
                    url=url,
                )
            )
        return result

    def _answer_for(self, article_id: str, locale: str, plan: QueryPlan | None) -> Answer | None:
        found = self.engine.article_in(article_id, locale, self.default_locale)
        if found is None:
            return None
        article, fallback = found
        anchor = article.sections[self.engine.best_position(article, plan)].anchor if plan else None
        return self.render(article, fallback, anchor)

    def render(self, article: Article, fallback: bool, matched_anchor: str | None = None) -> Answer:
        used = [s.anchor for s in article.sections if s.steps]
        if article.id == CONTACT_ARTICLE:
            used += [s.anchor for s in article.sections if s.anchor in CHANNEL_KINDS]
        if matched_anchor and matched_anchor not in used and article.section(matched_anchor):
            used.insert(0, matched_anchor)
        if not used:
            used = [article.sections[0].anchor]
        return Answer(
            article_id=article.id,
            locale=article.locale,
            fallback_used=fallback,
            title=article.title,
            summary=article.summary,
            steps=article.steps,
            channels=self.channels(article.locale),
            sources=[Source(article_id=article.id, locale=article.locale, section=a) for a in used],
            url=self.article_url(article.id, article.locale, None),
            updated=article.updated.isoformat(),
            updated_display=format_date(article.updated, format="long", locale=article.locale),
        )

    def follow_up(self, locale: str) -> FollowUp:
        """Where was it bought: one option per purchase-channel article, and "Somewhere else"
        (a place this help center does not cover) leading to a person."""
        options = [
            FollowUpOption(label=gettext(locale, PURCHASE_CHANNEL_LABELS[channel]), article_id=article_id)
            for channel, article_id in sorted(
                self.channel_articles.items(), key=lambda kv: list(PURCHASE_CHANNEL_LABELS).index(kv[0])
            )
            if channel in PURCHASE_CHANNEL_LABELS
        ]
        if CONTACT_ARTICLE in self.engine.locales_of:
            options.append(FollowUpOption(label=gettext(locale, SOMEWHERE_ELSE), article_id=CONTACT_ARTICLE))
        return FollowUp(question=gettext(locale, FOLLOW_UP_QUESTION), options=options)

    # -- the decision ---------------------------------------------------------------------
    def decide(
        self, plan: QueryPlan, ranked: list[RankedArticle] | None = None, *, threshold: float = RANKING_THRESHOLD
    ) -> Decision:
        """Which article answers ``plan`` (ranking it unless ``ranked`` is given)."""
        if ranked is None:
            ranked = [] if plan.is_empty or plan.reading.out_of_scope else self.engine.rank(plan)
        return self.decider.decide(plan, ranked, threshold)

    def answer(
        self,
        plan: QueryPlan,
        chosen: NegotiatedLocale,
        article_id: str | None = None,
        *,
        threshold: float = RANKING_THRESHOLD,
    ) -> AnswerResponse:
        """The answer to ``plan`` in ``chosen`` (or with ``article_id``); a ranking-only answer
        needs a confidence of ``threshold``."""
        locale = chosen.locale
        base = {
            "query": "",
            "locale": locale,
            "requested_locale": chosen.requested,
            "channels": self.channels(locale),
            "generation": self.engine.generation.name,
        }
        if article_id is not None:
            answer = self._answer_for(article_id, locale, None)
            if answer is None:
                raise ArticleNotFoundError(article_id)
            intent = self.engine.articles[(answer.article_id, answer.locale)].intent
            return AnswerResponse(**base, intent=intent, answer=answer, confidence=1.0, follow_up=None, message=None)
        decision = self.decide(plan, threshold=threshold)
        interpretation = plan.reading.interpretation()
        if decision.article_id is None:
            return AnswerResponse(
                **base,
                intent=None,
                answer=None,
                confidence=decision.confidence,
                follow_up=None,
                message=gettext(locale, NO_ANSWER_MESSAGE),
                interpretation=interpretation,
            )
        answer = self._answer_for(decision.article_id, locale, plan)
        return AnswerResponse(
            **base,
            intent=decision.intent,
            answer=answer,
            confidence=decision.confidence,
            follow_up=self.follow_up(locale) if decision.follow_up else None,
            message=gettext(locale, FOLLOW_UP_MESSAGE) if decision.follow_up else None,
            related=[r for r in (self._related(i, locale) for i in decision.related) if r is not None],
            interpretation=interpretation,
        )

    def _related(self, article_id: str, locale: str) -> RelatedArticle | None:
        found = self.engine.article_in(article_id, locale, self.default_locale)
        if found is None:
            return None
        article = found[0]
        return RelatedArticle(
            article_id=article.id, title=article.title, url=self.article_url(article.id, article.locale, None)
        )
