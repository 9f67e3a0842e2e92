"""Driving the help widget in a page: its selectors and the steps every browser test takes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

LAUNCHER = ".kbw-launcher"
PANEL = "#kbw-panel"
INPUT = "#kbw-q"
OPTIONS = "#kbw-list [role=option]"
ANSWER = ".kbw-card:not([aria-busy])"
HEADING = "#kbw-a-title"

_FOCUSED = """() => {
  const host = document.querySelector('kb-help-widget');
  const el = host && document.activeElement === host ? host.shadowRoot.activeElement : null;
  return el ? {cls: el.className, id: el.id, text: el.textContent.trim(), tag: el.tagName,
               outline: getComputedStyle(el).outlineStyle} : null;
}"""


def strings(server, locale: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return server.get("/v1/ui-strings", locale=locale).json()["strings"]


def api_answer(server, **params: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = server.get("/v1/answer", **params)
    assert response.status_code == 200, response.text
    return response.json()


def open_widget(page: Page) -> None:
    page.goto("/")
    page.locator(LAUNCHER).click()
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(INPUT)).to_be_focused()


def type_query(page: Page, text: str) -> None:
    page.locator(INPUT).press_sequentially(text, delay=25)


def ask(page: Page, text: str) -> None:
    type_query(page, text)
    page.locator(INPUT).press("Enter")
    expect(page.locator(ANSWER)).to_be_visible()


def focused(page: Page) -> dict | None:  # type: ignore[type-arg]
    return page.evaluate(_FOCUSED)


def tab_to(page: Page, predicate, limit: int = 40) -> dict:  # type: ignore[no-untyped-def,type-arg]
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if info and predicate(info):
            return info
    raise AssertionError("Tab never reached the expected element")
