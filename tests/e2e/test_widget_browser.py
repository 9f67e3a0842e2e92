"""The help widget in a real Chromium against a real server: search as you type in French and
English, answers with steps, the refund follow-up, the language switch, the keyboard alone,
state kept across a reload, axe-core, a phone-sized screen, no console error, no CSP violation
and no request to any host but the API. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .widget_page import (
    ANSWER,
    HEADING,
    INPUT,
    LAUNCHER,
    OPTIONS,
    PANEL,
    api_answer,
    ask,
    focused,
    open_widget,
    strings,
    tab_to,
    type_query,
)

pytestmark = pytest.mark.browser

def test_host_page_loads_only_the_launcher_until_used(open_page, artifacts) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    page.goto("/")
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_be_visible()
    page.wait_for_load_state("networkidle")
    paths = {urlsplit(u).path for u in watch.requests}
    assert {"/widget/loader.js", "/widget/launcher.css"} <= paths
    assert not paths & {"/widget/widget.js", "/widget/widget.css"}, paths
    assert not any(p.startswith("/v1/") for p in paths), paths
    assert page.evaluate("!!document.querySelector('kb-help-widget').shadowRoot")
    page.screenshot(path=artifacts / "demo-page.png")
    launcher.click()
    expect(page.locator(PANEL)).to_be_visible()
    assert launcher.get_attribute("aria-expanded") == "true"
    paths = {urlsplit(u).path for u in watch.requests}
    assert {"/widget/widget.js", "/widget/widget.css", "/v1/ui-strings", "/v1/locales"} <= paths
    watch.assert_clean()


def test_empty_state_lists_topics_to_browse(open_page, server, artifacts) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(locale="fr-FR")
    open_widget(page)
    articles = server.get("/v1/articles", locale="fr").json()["articles"]
    topics = page.locator(".kbw-topic")
    expect(topics.first).to_be_visible()
    assert topics.all_text_contents() == [a["title"] for a in articles][:8]
    assert page.locator(".kbw-topics").get_attribute("lang") == "fr"
    page.screenshot(path=artifacts / "panel-open-fr.png")
    topics.first.click()
    expect(page.locator(HEADING)).to_have_text(articles[0]["title"])
    watch.assert_clean()


@pytest.mark.parametrize(
    ("locale", "query", "expect_lang"),
    [("fr-FR", "je veux être rembours", "fr"), ("en-US", "turn off auto renew", "en")],
    ids=["french", "english"],
)
def test_search_as_you_type_shows_highlighted_results(  # type: ignore[no-untyped-def]
    open_page, server, artifacts, locale, query, expect_lang
) -> None:
    page, watch = open_page(locale=locale)
    open_widget(page)
    expect(page.locator(PANEL)).to_have_attribute("lang", expect_lang)
    type_query(page, query)
    options = page.locator(OPTIONS)
    expect(options.first).to_be_visible()
    field = page.locator(INPUT)
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(field).to_have_attribute("aria-controls", "kbw-list")
    assert options.first.get_attribute("lang") == expect_lang
    assert page.locator(f"{OPTIONS} mark").count() >= 1, "matched words are highlighted"
    # Only <mark> is markup: every other tag in a snippet would be text.
    assert page.locator(f"{OPTIONS} .kbw-opt-s *:not(mark)").count() == 0
    # The results match the last query typed (stale responses never render).
    expected = server.get("/v1/search", q=query, locale=expect_lang, limit="6").json()
    titles = options.locator(".kbw-opt-t").all_text_contents()
    assert titles == [r["title"] for r in expected["results"]]
    expect(page.locator(".kbw-panel [role=status]")).not_to_be_empty()
    # Every search request carried the per-visit session header.
    page.screenshot(path=artifacts / f"results-{expect_lang}.png")
    watch.assert_clean()


def test_search_requests_carry_session_id_and_are_debounced(open_page) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    headers: list[str | None] = []
    page.on("request", lambda r: "/v1/" in r.url and headers.append(r.headers.get("x-kb-session")))
    open_widget(page)

    def final(request) -> bool:  # type: ignore[no-untyped-def]
        return "/v1/search" in request.url and parse_qs(urlsplit(request.url).query).get("q") == ["refund policy"]

    with page.expect_request(final):  # however slow the machine, the search of the whole query is sent
        type_query(page, "refund policy")
    expect(page.locator(OPTIONS).first).to_be_visible()
    searches = [u for u in watch.requests if "/v1/search" in u]
    assert 1 <= len(searches) < len("refund policy") - 1, "typing is debounced"
    assert headers and all(h and re.fullmatch(r"[0-9a-f]{32}", h) for h in headers)
    assert len(set(headers)) == 1, "one session id per visit"
    last = parse_qs(urlsplit(searches[-1]).query)
    assert last["q"] == ["refund policy"] and last["limit"] == ["6"]
    watch.assert_clean()


# Delays the response to the first query typed ("ref") and ignores its AbortSignal, so that it
# arrives after the response to the complete query.
_SLOW_FIRST_SEARCH = """
const realFetch = window.fetch;
window.fetch = (url, options) => {
  if (!/\\/v1\\/search\\?q=ref&/.test(String(url))) return realFetch(url, options);
  return new Promise((resolve, reject) => setTimeout(
    () => realFetch(url, {...options, signal: undefined}).then(resolve, reject), 1500));
};
"""


def test_stale_search_responses_never_render(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    page.add_init_script(_SLOW_FIRST_SEARCH)
    open_widget(page)
    type_query(page, "ref")
    page.wait_for_timeout(300)  # the debounced search for "ref" is on its way (slowly)
    type_query(page, "und policy")
    expected = server.get("/v1/search", q="refund policy", locale="en", limit="6").json()
    stale = server.get("/v1/search", q="ref", locale="en", limit="6").json()
    titles = [r["title"] for r in expected["results"]]
    expect(page.locator(f"{OPTIONS} .kbw-opt-t").first).to_have_text(titles[0])
    page.wait_for_timeout(2000)  # the stale response for "ref" has arrived by now
    assert any("/v1/search?q=ref&" in u for u in watch.requests), "the first search was sent"
    assert page.locator(f"{OPTIONS} .kbw-opt-t").all_text_contents() == titles
    assert [r["title"] for r in stale["results"]] != titles or stale["total"] != expected["total"]
    watch.assert_clean()


def test_answer_shows_numbered_steps_and_contact_channels(open_page, server, artifacts) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    open_widget(page)
    ask(page, "turn off auto renew")
    expected = api_answer(server, q="turn off auto renew", locale="en")["answer"]
    expect(page.locator(HEADING)).to_have_text(expected["title"])
    steps = page.locator(".kbw-card ol.kbw-steps > li")
    assert steps.all_text_contents() == expected["steps"] and len(expected["steps"]) >= 3
    assert page.locator(ANSWER).get_attribute("lang") == "en"
    # Configured phone and chat become links; the unconfigured Twitter channel links to the
    # contact article's section about it.
    assert page.locator(".kbw-ch-phone a").get_attribute("href") == "tel:+15550100"
    assert page.locator(".kbw-ch-chat a").get_attribute("href") == "https://chat.example.com/help"
    twitter = page.locator(".kbw-ch-twitter a")
    expect(twitter).to_have_text(strings(server, "en")["channel_more"])
    assert twitter.get_attribute("href") == f"{server.url}/articles/en/contact-support#twitter"
    expect(page.locator(".kbw-ch-twitter strong")).to_be_visible()
    page.screenshot(path=artifacts / "answer-steps-en.png")
    watch.assert_clean()


def test_refund_follow_up_choice_opens_the_app_store_answer(open_page, server, artifacts) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(locale="fr-FR")
    open_widget(page)
    ask(page, "je veux être remboursé")
    first = api_answer(server, q="je veux être remboursé", locale="fr")
    assert first["follow_up"], "a generic refund question asks where the subscription was bought"
    expect(page.locator("#kbw-fu-q")).to_have_text(first["follow_up"]["question"])
    chips = page.locator(".kbw-fu button")
    assert chips.all_text_contents() == [o["label"] for o in first["follow_up"]["options"]]
    page.screenshot(path=artifacts / "follow-up-fr.png")
    chips.filter(has_text="App Store").click()
    expected = api_answer(server, article_id="refund-app-store", locale="fr")["answer"]
    expect(page.locator(HEADING)).to_have_text(expected["title"])
    expect(page.locator(HEADING)).to_be_focused()
    expect(page.locator(".kbw-back")).to_be_visible()
    answers = [u for u in watch.requests if "/v1/answer" in u]
    assert parse_qs(urlsplit(answers[-1]).query)["article_id"] == ["refund-app-store"]
    page.screenshot(path=artifacts / "answer-app-store-fr.png")
    page.locator(".kbw-back").click()
    expect(page.locator("#kbw-fu-q")).to_be_visible()
    watch.assert_clean()


def test_language_switch_changes_strings_and_answer(open_page, server) -> None:  # type: ignore[no-untyped-def]
    fr, en = strings(server, "fr"), strings(server, "en")
    assert fr["search_label"] != en["search_label"], "the French catalog translates the widget"
    page, watch = open_page(locale="fr-FR")
    open_widget(page)
    expect(page.locator("#kbw-q-label")).to_have_text(fr["search_label"])
    codes = page.locator("#kbw-lang option").evaluate_all("els => els.map(e => e.value)")
    assert sorted(codes) == sorted(c["code"] for c in server.get("/v1/locales").json()["locales"])
    ask(page, "désactiver le renouvellement automatique")
    assert page.locator(ANSWER).get_attribute("lang") == "fr"
    page.locator("#kbw-lang").select_option("en")
    expect(page.locator("#kbw-q-label")).to_have_text(en["search_label"])
    expect(page.locator(PANEL)).to_have_attribute("lang", "en")
    question = "désactiver le renouvellement automatique"
    expected = api_answer(server, q=question, locale="en")["answer"]
    expect(page.locator(HEADING)).to_have_text(expected["title"])
    assert page.locator(ANSWER).get_attribute("lang") == "en"
    watch.assert_clean()


def test_whole_flow_with_the_keyboard_alone(open_page, server, artifacts) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(locale="fr-FR")
    page.goto("/")
    expect(page.locator(LAUNCHER)).to_be_visible()
    tab_to(page, lambda f: "kbw-launcher" in f["cls"])
    page.keyboard.press("Enter")
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(INPUT)).to_be_focused()
    page.keyboard.type("je veux être remboursé", delay=25)
    field, options = page.locator(INPUT), page.locator(OPTIONS)
    expect(options.first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", "kbw-o-0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    if options.count() > 1:
        page.keyboard.press("ArrowDown")
        expect(field).to_have_attribute("aria-activedescendant", "kbw-o-1")
        page.keyboard.press("ArrowUp")
        expect(field).to_have_attribute("aria-activedescendant", "kbw-o-0")
    page.keyboard.press("Escape")  # closes the list, keeps the panel and the text
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(page.locator(PANEL)).to_be_visible()
    page.keyboard.press("Enter")  # asks the typed question
    expect(page.locator(ANSWER)).to_be_visible()
    chip = tab_to(page, lambda f: "kbw-chip" in f["cls"] and "App Store" in f["text"])
    assert chip["outline"] != "none", "keyboard focus is visible"
    page.keyboard.press("Enter")
    expected = api_answer(server, article_id="refund-app-store", locale="fr")["answer"]
    expect(page.locator(HEADING)).to_have_text(expected["title"])
    expect(page.locator(HEADING)).to_be_focused()
    page.screenshot(path=artifacts / "keyboard-flow.png")
    page.keyboard.press("Escape")  # closes the panel, focus back on the launcher
    expect(page.locator(PANEL)).to_be_hidden()
    assert "kbw-launcher" in (focused(page) or {}).get("cls", "")
    page.keyboard.press("Enter")  # and opens it again where it was
    expect(page.locator(HEADING)).to_have_text(expected["title"])
    watch.assert_clean()


def test_reload_keeps_the_open_conversation(open_page) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    open_widget(page)
    ask(page, "how do I get my money back")
    title = page.locator(HEADING).text_content()
    session = page.evaluate("sessionStorage.getItem('kbw:sid')")
    page.reload()
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(HEADING)).to_have_text(title or "")
    expect(page.locator(INPUT)).to_have_value("how do I get my money back")
    assert page.evaluate("sessionStorage.getItem('kbw:sid')") == session
    page.locator(".kbw-close").click()
    expect(page.locator(PANEL)).to_be_hidden()
    page.reload()
    expect(page.locator(LAUNCHER)).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.locator(PANEL)).to_have_count(0)  # closed stays closed: nothing loaded
    watch.assert_clean()


def test_feedback_is_sent_and_acknowledged(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    open_widget(page)
    ask(page, "turn off auto renew")
    thanks = strings(server, "en")["thanks"]
    with page.expect_request(lambda r: r.method == "POST" and "/v1/feedback" in r.url) as sent:
        page.locator(".kbw-fb button").first.click()
    body = json.loads(sent.value.post_data or "{}")
    assert body == {
        "article_id": "auto-renewal",
        "locale": "en",
        "helpful": True,
        "query": "turn off auto renew",
    }
    expect(page.locator(".kbw-fb")).to_have_text(thanks)
    response = sent.value.response()
    assert response is not None and response.status < 300, "POST /v1/feedback is accepted"
    watch.assert_clean()


def test_no_answer_and_error_states(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page()
    open_widget(page)
    en = strings(server, "en")
    ask(page, "best apple pie recipe with cinnamon")
    expect(page.locator(HEADING)).to_have_text(en["no_answer_title"])
    expect(page.locator(".kbw-channels li")).to_have_count(3)
    assert page.locator(".kbw-fb").count() == 0
    # A failing API shows an error with a retry that works once the API is back.
    watch.allow("status of 500")
    page.route("**/v1/answer?**", lambda route: route.fulfill(status=500, body="{}"))
    page.locator(INPUT).fill("")
    ask(page, "turn off auto renew")
    expect(page.locator(HEADING)).to_have_text(en["answer_error"])
    page.unroute("**/v1/answer?**")
    page.get_by_role("button", name=en["retry"]).click()
    expect(page.locator(".kbw-steps li").first).to_be_visible()
    # An unknown word: no result, a message in place of the answer, the list stays closed.
    page.locator(INPUT).fill("")
    type_query(page, "zzqxw")
    expect(page.locator(HEADING)).to_have_text(en["no_results"].replace("{query}", "zzqxw"))
    expect(page.locator(INPUT)).to_have_attribute("aria-expanded", "false")
    watch.assert_clean()


def test_widget_and_host_page_styles_do_not_leak(open_page) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(bypass_csp=True)
    page.goto("/")
    page.add_style_tag(content="* { color: red !important; font-family: serif !important; }"
                               " button { display: none !important; } mark { background: red; }")
    page.locator(LAUNCHER).click()
    expect(page.locator(PANEL)).to_be_visible()
    color = page.locator(INPUT).evaluate("e => getComputedStyle(e).color")
    assert color != "rgb(255, 0, 0)"
    # The widget's rules (button, mark, .kbw-*) do not reach the host page.
    assert page.locator("h1").evaluate("e => getComputedStyle(e).fontFamily") == "serif"
    watch.assert_clean()


def test_axe_finds_no_violations(open_page, axe_source, artifacts) -> None:  # type: ignore[no-untyped-def]
    # axe is injected as an inline script, which the demo page's CSP forbids: bypass it here only.
    page, watch = open_page(locale="fr-FR", bypass_csp=True)
    open_widget(page)

    def audit(state: str) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(axe_source))
        result = page.evaluate(
            "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }"
        )
        report = json.dumps(result, indent=2, ensure_ascii=False)
        (artifacts / f"axe-{state}.json").write_text(report)
        assert result == [], f"axe ({state}): {report}"

    audit("open")
    type_query(page, "rembourse")
    expect(page.locator(OPTIONS).first).to_be_visible()
    page.locator(INPUT).press("ArrowDown")
    audit("results")
    page.locator(INPUT).press("Escape")
    page.locator(INPUT).press("Enter")
    expect(page.locator(".kbw-fu")).to_be_visible()
    audit("answer")
    page.locator(INPUT).fill("")
    type_query(page, "zzqxw qqzzv")
    expect(page.locator(".kbw-card .kbw-channels li").first).to_be_visible()
    audit("no-result")
    page.locator(INPUT).fill("")
    ask(page, "parler à un conseiller")
    expect(page.locator(".kbw-ch-twitter a")).to_be_visible()
    audit("contact")
    page.goto("/articles/fr/refund-third-party")
    audit("article")
    page.goto("/fr/")
    audit("demo-page")
    watch.assert_clean()


def test_phone_sized_screen(open_page, artifacts) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )
    page.goto("/")
    page.screenshot(path=artifacts / "phone-page.png")
    page.locator(LAUNCHER).tap()
    expect(page.locator(PANEL)).to_be_visible()
    box = page.locator(PANEL).bounding_box()
    assert box and box["width"] == 390 and box["height"] == 844, box
    type_query(page, "rembourse")
    expect(page.locator(OPTIONS).first).to_be_visible()
    page.screenshot(path=artifacts / "phone-results.png")
    page.locator(INPUT).press("Enter")
    expect(page.locator(ANSWER)).to_be_visible()
    scroll_width = page.locator(".kbw-body").evaluate("e => e.scrollWidth - e.clientWidth")
    assert scroll_width == 0, "no horizontal scrolling"
    page.screenshot(path=artifacts / "phone-answer.png")
    page.locator(".kbw-close").tap()
    expect(page.locator(LAUNCHER)).to_be_visible()
    watch.assert_clean()


def test_article_page_is_localized_and_strict(open_page, server, artifacts) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(locale="fr-FR")
    response = page.goto("/articles/fr/auto-renewal")
    assert response is not None and response.status == 200
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.locator("html").get_attribute("lang") == "fr"
    expected = api_answer(server, article_id="auto-renewal", locale="fr")["answer"]
    expect(page.locator("h1")).to_have_text(expected["title"])
    assert page.locator("article ol li").all_text_contents() == expected["steps"]
    expect(page.locator(".meta").first).to_contain_text(expected["updated_display"])
    assert page.locator(".site-foot").text_content() != ""
    page.screenshot(path=artifacts / "article-fr.png", full_page=True)
    missing = page.goto("/articles/fr/no-such-article")
    assert missing is not None and missing.status == 404
    watch.allow("404")
    watch.assert_clean()


def test_demo_page_sends_a_strict_csp(server) -> None:  # type: ignore[no-untyped-def]
    response = server.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "independent guide" in response.text.lower()
    assert server.get("/favicon.ico").status_code == 200
    loader = server.get("/widget/loader.js")
    version = re.search(r'const VERSION = "([0-9a-f]{12})"', loader.text)
    assert version, "the loader names the current widget version"
    versioned = server.get("/widget/widget.js", v=version.group(1))
    assert "immutable" in versioned.headers["cache-control"] and versioned.headers.get("etag")
    assert "immutable" not in loader.headers["cache-control"]


@pytest.mark.parametrize(
    ("html_lang", "attributes", "label", "label_lang"),
    [
        ("fr", "", "Aide", "fr"),  # the host page's language, label from the French catalog
        ("en-GB", "", "Help", "en"),
        ("de", "", "Help", None),  # no catalog for German: the English label, not marked German
        ("en", 'data-locale="fr-CA"', "Aide", "fr-CA"),  # the widget's own locale wins
        ("fr", 'data-label="Besoin d&#39;aide ?"', "Besoin d'aide ?", None),  # the embedder's words win
    ],
)
def test_launcher_label_speaks_the_host_page_language(  # type: ignore[no-untyped-def]
    open_page, server, html_lang, attributes, label, label_lang
) -> None:
    page, watch = open_page()
    host = (f'<!doctype html><html lang="{html_lang}"><head><title>Host</title></head><body><h1>Host</h1>'
            f'<script src="/widget/loader.js" {attributes} defer></script></body></html>')
    page.route(server.url + "/host-page.html",
               lambda route: route.fulfill(status=200, body=host, content_type="text/html; charset=utf-8"))
    page.goto("/host-page.html")
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_be_visible()
    expect(launcher).to_have_text(label)
    assert launcher.locator("span").get_attribute("lang") == label_lang
    watch.assert_clean()


def test_loader_carries_the_launcher_labels_of_the_catalogs(server) -> None:  # type: ignore[no-untyped-def]
    loader = server.get("/widget/loader.js").text
    assert "__KB_" not in loader
    labels = re.search(r"const LABELS = (\{.*?\});", loader)
    assert labels and json.loads(labels.group(1)) == {"en": "Help", "fr": "Aide"}


def test_launcher_label_follows_the_panel_language(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page, watch = open_page(locale="en-US")
    host = ('<!doctype html><html lang="en"><head><title>Host</title></head><body><h1>Host</h1>'
            '<script src="/widget/loader.js" defer></script></body></html>')
    page.route(server.url + "/host-page.html",
               lambda route: route.fulfill(status=200, body=host, content_type="text/html; charset=utf-8"))
    page.goto("/host-page.html")
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_have_text("Help")
    launcher.click()
    expect(page.locator(PANEL)).to_be_visible()
    page.locator("#kbw-lang").select_option("fr")
    expect(launcher).to_have_text("Aide")
    assert launcher.locator("span").get_attribute("lang") == "fr"
    page.locator("#kbw-lang").select_option("en")
    expect(launcher).to_have_text("Help")
    watch.assert_clean()
