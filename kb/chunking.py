"""Cut articles into section chunks: the unit that is indexed, matched and cited."""

from __future__ import annotations

from dataclasses import dataclass

from .content import Article


@dataclass(frozen=True)
class Chunk:
    """One section of one article in one locale, with what identifies and ranks it."""

    article_id: str
    locale: str
    intent: str
    title: str
    heading: str
    anchor: str
    position: int
    text: str
    steps: tuple[str, ...]
    keywords: tuple[str, ...]

    @property
    def chunk_id(self) -> str:
        return f"{self.locale}/{self.article_id}#{self.anchor}"


def chunk_article(article: Article) -> list[Chunk]:
    """One chunk per section. The summary is part of the first chunk's text, so that an
    article whose introduction is short still matches on what it is about."""
    chunks = []
    for section in article.sections:
        parts = [section.heading, *section.paragraphs, *section.steps]
        if section.position == 0:
            parts.insert(0, article.summary)
        chunks.append(
            Chunk(
                article_id=article.id,
                locale=article.locale,
                intent=article.intent,
                title=article.title,
                heading=section.heading,
                anchor=section.anchor,
                position=section.position,
                text="\n".join(p for p in parts if p),
                steps=tuple(section.steps),
                keywords=tuple(article.keywords),
            )
        )
    return chunks
