"""Content loading and validation: every error names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.article_body import plain_text
from kb.chunking import chunk_article
from kb.content import load_content
from kb.errors import ContentError

from .conftest import CONTENT_DIR

GOOD = """---
id: {id}
title: Turn off automatic renewal
intent: auto_renew
summary: Move the slider to OFF in My Subscriptions.
updated: 2026-11-20
keywords: [unsubscribe]
---
Intro text about **renewal**, see [the policy](auto-renewal#after).

## Steps {{#turn-off}}
1. Sign in.
2. Open "My Subscriptions"
   and move the slider to OFF.

## After {{#after}}
You will be invited to renew.
"""


def write(root: Path, locale: str, name: str, text: str | bytes) -> Path:
    folder = root / locale
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def good_tree(root: Path) -> Path:
    for locale in ("en", "fr"):
        write(root, locale, "auto-renewal.md", GOOD.format(id="auto-renewal"))
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(root)
    return [str(p) for p in info.value.problems]


def test_shipped_content_is_valid_and_complete() -> None:
    content = load_content(CONTENT_DIR)
    assert content.locales == ("en", "fr")
    assert content.warnings == []
    assert len(content.ids()) == 7
    for article_id in content.ids():
        fr = next(a for a in content.articles if a.id == article_id and a.locale == "fr")
        en = next(a for a in content.articles if a.id == article_id and a.locale == "en")
        assert [s.anchor for s in fr.sections] == [s.anchor for s in en.sections], article_id
        assert len(fr.steps) == len(en.steps), article_id
        assert fr.intent == en.intent and fr.purchase_channel == en.purchase_channel


def test_shipped_content_invents_no_contact_details() -> None:
    import re

    for path in CONTENT_DIR.glob("*/*.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|www\.|@\w|\+\d|\d{2}[ .]\d{2}[ .]\d{2}", text), path


def test_good_article_parses_sections_steps_and_inline_markdown(tmp_path: Path) -> None:
    content = load_content(good_tree(tmp_path))
    article = next(a for a in content.articles if a.locale == "en")
    assert [s.anchor for s in article.sections] == ["intro", "turn-off", "after"]
    assert article.sections[0].paragraphs == ["Intro text about renewal, see the policy."]
    assert article.steps == ["Sign in.", 'Open "My Subscriptions" and move the slider to OFF.']
    assert str(article.updated) == "2026-11-20"
    # Pages show the markdown as written, block by block, with the line each item starts on.
    blocks = [(b.kind, b.items, b.lines) for s in article.sections for b in s.blocks]
    assert blocks == [
        ("paragraph", ["Intro text about **renewal**, see [the policy](auto-renewal#after)."], [9]),
        ("steps", ["Sign in.", 'Open "My Subscriptions"\nand move the slider to OFF.'], [12, 13]),
        ("paragraph", ["You will be invited to renew."], [17]),
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "broken-yaml",
            "---\nid: broken-yaml\ntitle: [unclosed\n---\nText\n",
            "en/broken-yaml.md:3: front matter is not valid YAML",
        ),
        ("no-front", "Just text\n", "en/no-front.md:1: missing front matter"),
        ("unclosed", "---\nid: unclosed\n", "en/unclosed.md:1: front matter is not closed"),
        (
            "missing",
            GOOD.format(id="missing").replace("summary: Move the slider to OFF in My Subscriptions.\n", ""),
            "en/missing.md:1: missing required field 'summary'",
        ),
        (
            "unknown",
            GOOD.format(id="unknown").replace("keywords:", "colour: red\nkeywords:"),
            "en/unknown.md:7: unknown field 'colour'",
        ),
        (
            "bad-intent",
            GOOD.format(id="bad-intent").replace("intent: auto_renew", "intent: billing"),
            "en/bad-intent.md:4: field 'intent'",
        ),
        (
            "bad-date",
            GOOD.format(id="bad-date").replace("2026-11-20", "yesterday"),
            "en/bad-date.md:6: field 'updated'",
        ),
        ("empty-step", GOOD.format(id="empty-step").replace("1. Sign in.", "1."), "en/empty-step.md:12: empty step"),
        (
            "other-name",
            GOOD.format(id="auto-renewal"),
            "en/other-name.md:2: id 'auto-renewal' must match the file name",
        ),
        (
            "raw-html",
            GOOD.format(id="raw-html").replace("Intro text", "<script>x</script>"),
            "en/raw-html.md:9: raw HTML",
        ),
        (
            "dup-anchor",
            GOOD.format(id="dup-anchor").replace("{#after}", "{#turn-off}"),
            "en/dup-anchor.md:16: duplicate section anchor 'turn-off'",
        ),
    ],
)
def test_each_content_error_names_file_and_line(tmp_path: Path, name: str, text: str, expected: str) -> None:
    good_tree(tmp_path)
    write(tmp_path, "en", f"{name}.md", text)
    problems = problems_of(tmp_path)
    assert any(f"/{expected}" in p for p in problems), problems


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    good_tree(tmp_path)
    write(tmp_path, "en", "latin1.md", GOOD.format(id="latin1").replace("Intro", "Intr\u00e9").encode("latin-1"))
    problems = problems_of(tmp_path)
    assert any("/en/latin1.md:9: not valid UTF-8" in p for p in problems), problems


def test_duplicate_id_is_reported(tmp_path: Path) -> None:
    good_tree(tmp_path)
    write(tmp_path, "en", "copy.md", GOOD.format(id="auto-renewal"))
    assert any("copy.md" in p and "auto-renewal" in p for p in problems_of(tmp_path))


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    good_tree(tmp_path)
    write(tmp_path, "en", "a.md", "no front matter")
    write(tmp_path, "fr", "b.md", GOOD.format(id="b").replace("intent: auto_renew", "intent: x"))
    assert len(problems_of(tmp_path)) >= 2


def test_missing_translation_is_a_warning(tmp_path: Path) -> None:
    good_tree(tmp_path)
    write(tmp_path, "en", "only-english.md", GOOD.format(id="only-english"))
    content = load_content(tmp_path)
    assert content.warnings == ["only-english: missing in 'fr' (served from en)"]


def test_bad_synonyms_and_locale_folder(tmp_path: Path) -> None:
    good_tree(tmp_path)
    (tmp_path / "synonyms.yaml").write_text("de:\n  a: [b]\n", encoding="utf-8")
    (tmp_path / "not a locale").mkdir()
    problems = problems_of(tmp_path)
    assert any("unknown locale 'de'" in p for p in problems)
    assert any("not a locale" in p for p in problems)


def test_auxiliaries_of_an_unknown_language_or_as_one_list_are_rejected(tmp_path: Path) -> None:
    good_tree(tmp_path)
    rules = tmp_path / "answering.yaml"
    rules.write_text("already_done:\n  auxiliaries: {en: [have], de: [habe]}\n", encoding="utf-8")
    assert any("answering.yaml" in p and "unknown language de" in p for p in problems_of(tmp_path))
    rules.write_text("already_done:\n  auxiliaries: [have, ai]\n", encoding="utf-8")  # the former shape
    assert any("answering.yaml" in p and "already_done.auxiliaries" in p for p in problems_of(tmp_path))


def test_chunks_keep_article_identity_heading_position_and_steps(tmp_path: Path) -> None:
    article = next(a for a in load_content(good_tree(tmp_path)).articles if a.locale == "fr")
    chunks = chunk_article(article)
    assert [(c.anchor, c.position) for c in chunks] == [("intro", 0), ("turn-off", 1), ("after", 2)]
    assert all(c.article_id == "auto-renewal" and c.locale == "fr" and c.title == article.title for c in chunks)
    assert chunks[1].heading == "Steps" and chunks[1].steps == tuple(article.steps)
    assert chunks[0].text.startswith(article.summary)


def test_plain_text_reduces_inline_markdown() -> None:
    assert plain_text("**Bold** and *it* and `code` and [link](x)") == "Bold and it and code and link"


LINKS = GOOD.replace("You will be invited to renew.", "You will be invited to renew.\n\n{body}")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("See [the policy](refund-policy).", "en/links.md:19: link to unknown article 'refund-policy'"),
        ("See [the end](auto-renewal#nowhere).", "en/links.md:19: link to unknown section 'auto-renewal#nowhere'"),
        ("See [above](#nowhere).", "en/links.md:19: link to unknown section 'links#nowhere'"),
        ("See [a site](http://example.com/).", "en/links.md:19: link target 'http://example.com/': write an"),
        ("Write [to us](mailto:a@example.com).", "en/links.md:19: link target 'mailto:a@example.com'"),
        ("See [the file](auto-renewal.md).", "en/links.md:19: link target 'auto-renewal.md'"),
        ("See [the page](/articles/en/auto-renewal).", "en/links.md:19: link target '/articles/en/auto-renewal'"),
        ("- first\n- see [it](javascript:alert(1))", "en/links.md:20: link target 'javascript:alert(1)'"),
        ("A paragraph goes on\nand links [here](nope).", "en/links.md:20: link to unknown article 'nope'"),
        ("1. A step that goes on\n   to [a link](nope) below.", "en/links.md:20: link to unknown article 'nope'"),
    ],
    ids=["unknown-article", "unknown-anchor", "unknown-own-anchor", "http", "mailto", "file-name", "path",
         "bullet", "second-line-of-paragraph", "step-continuation"],
)
def test_every_link_must_reach_an_article_or_an_https_page(tmp_path: Path, body: str, expected: str) -> None:
    good_tree(tmp_path)
    write(tmp_path, "en", "links.md", LINKS.format(id="links", body=body))
    problems = problems_of(tmp_path)
    assert any(p.endswith(expected) or f"/{expected}" in p for p in problems), problems


def test_links_to_articles_sections_and_https_pages_are_accepted(tmp_path: Path) -> None:
    good_tree(tmp_path)
    body = ("See [the steps](auto-renewal#turn-off), [the article](auto-renewal), [below](#after) and "
            "[the vendor's terms](https://example.com/terms?lang=en#refunds).")
    write(tmp_path, "en", "links.md", LINKS.format(id="links", body=body))
    write(tmp_path, "fr", "links.md", LINKS.format(id="links", body=body))
    article = next(a for a in load_content(tmp_path).articles if a.id == "links" and a.locale == "en")
    assert article.sections[-1].paragraphs[-1] == "See the steps, the article, below and the vendor's terms."


def with_questions(article_id: str, questions: list[str]) -> str:
    listed = "".join(f'  - "{q}"\n' for q in questions)
    header = f"keywords: [unsubscribe]\nquestions:\n{listed}"
    return GOOD.format(id=article_id).replace("keywords: [unsubscribe]\n", header)


def test_example_questions_are_indexed_and_checked(tmp_path: Path) -> None:
    root = tmp_path / "content"
    write(root, "en", "auto-renewal.md", with_questions("auto-renewal", ["How do I stop the yearly renewal?"]))
    write(root, "fr", "auto-renewal.md", with_questions("auto-renewal", ["Comment arrêter le renouvellement annuel ?"]))
    content = load_content(root)
    assert content.articles[0].questions == ["How do I stop the yearly renewal?"]


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (("en", "other", "how do I stop the yearly renewal"), "en/other.md:9: question 'how do I stop the yearly"),
        (("fr", "auto-renewal", "How can I turn off the renewal?"), "fr/auto-renewal.md:9: question 'How can I"),
    ],
    ids=["asked-in-two-articles", "wrong-language"],
)
def test_questions_asked_twice_or_in_the_wrong_language_are_rejected_with_their_line(
    tmp_path: Path, second: tuple[str, str, str], expected: str
) -> None:
    root = tmp_path / "content"
    write(root, "en", "auto-renewal.md", with_questions("auto-renewal", ["How do I stop the yearly renewal?"]))
    locale, article_id, question = second
    write(root, locale, f"{article_id}.md", with_questions(article_id, [question]))
    problems = problems_of(root)
    reason = "also asked in 'auto-renewal'" if article_id == "other" else "looks en, not fr"
    assert any(expected in p and reason in p for p in problems), problems
