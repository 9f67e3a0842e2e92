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

from .analysis import fold
from .content import Article
from .errors import ArticleNotFoundError
from .i18n import N_, gettext
from .locales import NegotiatedLocale
from .models import Answer, AnswerResponse, Channel, ChannelKind, FollowUp, FollowUpOption, Source
from .planning import QueryPlan, split_words
from .search import SearchEngine

CONTACT_ARTICLE = "contact-support"
GENERIC_REFUND_ARTICLE = "refund-policy"
CHANNEL_KINDS: tuple[str, ...] = get_args(ChannelKind)
CONFIDENCE_THRESHOLD = 0.45  # calibrated on the tuning half of tests/golden/queries.yaml

CHANNEL_LABELS = {"phone": N_("Phone"), "chat": N_("Live chat"), "twitter": N_("Twitter")}
PURCHASE_CHANNEL_LABELS = {
    "norton_store": N_("On the Norton online store"),
    "third_party": N_("In a shop or from another retailer"),
    "app_store": N_("On Apple's App Store"),
    "service_provider": N_("Through my internet or service provider"),
}
FOLLOW_UP_QUESTION = N_("Where did you buy your subscription?")
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


def _phrases(items: list[str]) -> list[tuple[str, ...]]:
    return sorted({tuple(fold(w) for w in split_words(item)) for item in items if item.strip()}, key=len, reverse=True)


def _find(words: list[str], phrases: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    for phrase in phrases:
        n = len(phrase)
        if any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)):
            return phrase
    return None


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
        self.threshold = CONFIDENCE_THRESHOLD
        self.channel_values = channel_values
        self.default_locale = default_locale
        self.article_url = article_url
        rules = engine.generation.manifest.get("answering", {}) or {}
        self.out_of_scope = _phrases(rules.get("out_of_scope", []))
        self.purchase_channels = {
            channel: _phrases(items) for channel, items in (rules.get("purchase_channels") or {}).items()
        }
        self.channel_articles = {a.purchase_channel: a.id for a in engine.generation.articles if a.purchase_channel}

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
        options = [
            FollowUpOption(label=gettext(locale, PURCHASE_CHANNEL_LABELS[channel]), article_id=article_id)
            for channel, article_id in sorted(
                self.channel_articles.items(), key=lambda kv: list(PURCHASE_CHANNEL_LABELS).index(kv[0])
            )
            if channel in PURCHASE_CHANNEL_LABELS
        ]
        return FollowUp(question=gettext(locale, FOLLOW_UP_QUESTION), options=options)

    def purchase_channel(self, folded: list[str]) -> str | None:
        """The purchase channel the question names; the longest phrase wins ("app store" > "store")."""
        best: tuple[int, str] | None = None
        for channel, phrases in self.purchase_channels.items():
            phrase = _find(folded, phrases)
            if phrase and (best is None or len(phrase) > best[0]):
                best = (len(phrase), channel)
        return best[1] if best else None

    # -- the decision ---------------------------------------------------------------------
    def answer(self, plan: QueryPlan, chosen: NegotiatedLocale, article_id: str | None = None) -> AnswerResponse:
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
        folded = plan.words
        out_of_scope = _find(plan.raw_words, self.out_of_scope) or _find(folded, self.out_of_scope)
        ranked = [] if plan.is_empty or out_of_scope else self.engine.rank(plan)
        confidence = 0.0
        if ranked:
            top = ranked[0]
            second = ranked[1].score if len(ranked) > 1 else 0.0
            dominance = (top.score - second) / top.score if top.score > 0 else 0.0
            confidence = round(min(1.0, top.coverage * (0.7 + 0.3 * dominance)), 3)
        if not ranked or confidence < self.threshold:
            return AnswerResponse(
                **base,
                intent=None,
                answer=None,
                confidence=confidence,
                follow_up=None,
                message=gettext(locale, NO_ANSWER_MESSAGE),
            )
        top = ranked[0]
        intent = self.engine.articles[(top.article_id, top.locale)].intent
        chosen_id, follow_up, message = top.article_id, None, None
        if intent == "refund":
            channel = self.purchase_channel(folded)
            if channel in self.channel_articles:
                chosen_id = self.channel_articles[channel]
                confidence = max(confidence, 0.9)
            elif top.article_id == GENERIC_REFUND_ARTICLE or top.article_id not in self.channel_articles.values():
                chosen_id = GENERIC_REFUND_ARTICLE
                follow_up = self.follow_up(locale)
                message = gettext(locale, FOLLOW_UP_MESSAGE)
        answer = self._answer_for(chosen_id, locale, plan if chosen_id == top.article_id else None)
        return AnswerResponse(
            **base, intent=intent, answer=answer, confidence=confidence, follow_up=follow_up, message=message
        )
