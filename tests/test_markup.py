"""Inline markdown of articles: the link syntax and its HTML."""

from __future__ import annotations

import pytest

from kb.markup import LinkTarget, inline_html, link_targets, parse_link_target


def href(target: LinkTarget) -> str | None:
    if target.url:
        return target.url
    if target.article_id == "gone":
        return None
    return f"/articles/fr/{target.article_id or 'self'}" + (f"#{target.anchor}" if target.anchor else "")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("refund-policy", LinkTarget(article_id="refund-policy")),
        ("refund-policy#deadline", LinkTarget(article_id="refund-policy", anchor="deadline")),
        ("#deadline", LinkTarget(anchor="deadline")),
        ("https://example.com/a?b=1#c", LinkTarget(url="https://example.com/a?b=1#c")),
    ],
)
def test_link_targets_authors_may_write(target: str, expected: LinkTarget) -> None:
    assert parse_link_target(target) == expected


@pytest.mark.parametrize(
    "target",
    ["http://example.com/", "mailto:a@example.com", "javascript:alert(1)", "refund-policy.md", "/articles/fr/x",
     "../fr/x", "Refund-Policy", "refund_policy", "https://", "#", "", "https://exa mple.com"],
)
def test_other_targets_are_refused_with_the_syntax_to_use(target: str) -> None:
    with pytest.raises(ValueError, match="write an article id"):
        parse_link_target(target)


def test_links_become_anchors_and_everything_else_stays_text() -> None:
    markdown = ("See [the **policy**](refund-policy#deadline), [above](#after), [terms](https://example.com/t?a=1&b=2) "
                "and <b>this</b> & `code`.")
    assert inline_html(markdown, href) == (
        'See <a href="/articles/fr/refund-policy#deadline">the <strong>policy</strong></a>, '
        '<a href="/articles/fr/self#after">above</a>, '
        '<a href="https://example.com/t?a=1&amp;b=2" rel="noopener">terms</a> '
        "and &lt;b&gt;this&lt;/b&gt; &amp; <code>code</code>."
    )


def test_a_link_without_an_address_keeps_only_its_text() -> None:
    assert inline_html("see [old](gone) and [bad](javascript:alert(1)).", href) == "see old and bad."


def test_link_targets_are_read_in_order_across_lines() -> None:
    assert link_targets("a [b](x)\nc [d\ne](y#z) [f](https://g.example/)") == ["x", "y#z", "https://g.example/"]
    assert link_targets("no link [here] (x)") == []
