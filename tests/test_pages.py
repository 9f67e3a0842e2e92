"""The HTML pages without a browser: valid HTML5, links between articles in the page's language,
every label from the catalogs, addresses for search engines built on KB_PUBLIC_BASE_URL."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import html5lib
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kb.content import load_content
from kb.i18n import gettext
from kb.indexing import build_index

from .conftest import CONTENT_DIR, make_settings

BASE = "https://help.example.com/kb"
NBSP = "\u00a0"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
CONTENT = load_content(CONTENT_DIR)


@pytest.fixture(scope="module")
def site(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app with a public base URL, reached under another host name than the public one."""
    settings = make_settings(index_dir, tmp_path_factory.mktemp("pages"), public_base_url=BASE + "/")
    app = create_app(settings)
    with TestClient(app, base_url="http://internal-name:8123", raise_server_exceptions=False) as client:
        yield client


def parse(text: str):  # type: ignore[no-untyped-def]
    """The page as an element tree; html5lib in strict mode raises on the first parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


def page_paths() -> list[str]:
    articles = [f"/articles/{a.locale}/{a.id}" for a in CONTENT.articles]
    return ["/", "/en/", "/fr/", *articles, "/articles/fr/no-such-article", "/articles/fr-CA/auto-renewal"]


@pytest.mark.parametrize("path", page_paths())
def test_every_page_is_valid_html5(site: TestClient, path: str) -> None:
    response = site.get(path)
    assert response.status_code in (200, 404) and response.headers["content-type"] == "text/html; charset=utf-8"
    tree = parse(response.text)
    ids = Counter(e.get("id") for e in tree.iter() if e.get("id"))
    assert not [i for i, n in ids.items() if n > 1], f"duplicate ids: {ids}"
    assert len(tree.findall(".//h1")) == 1
    assert tree.get("lang") == response.headers["content-language"]
    assert all(a.get("href") for a in tree.iter("a")), "every link has an address"
    for element in tree.iter():
        assert "internal-name" not in " ".join(str(v) for v in element.attrib.values()), "never the Host header"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def links(tree) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"".join(a.itertext()).strip(): a.get("href") for a in tree.iter("a")}


def test_article_links_lead_to_articles_in_the_page_language(site: TestClient) -> None:
    fr = links(parse(site.get("/articles/fr/auto-renewal").text))
    assert fr["Demander un remboursement Norton"] == "/articles/fr/refund-policy"
    en = links(parse(site.get("/articles/en/auto-renewal").text))
    assert en["Getting a Norton refund"] == "/articles/en/refund-policy"


def test_a_fallback_page_links_within_its_own_locale_and_to_https_pages(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    (content / "fr" / "refund-app-store.md").unlink()  # served in English on the French site
    english = content / "en" / "refund-app-store.md"
    english.write_text(
        english.read_text(encoding="utf-8") + "\nApple explains it on [its support site](https://support.example.com/refunds?a=1&b=2).\n",
        encoding="utf-8",
    )
    build_index(load_content(content), tmp_path / "index")
    with TestClient(create_app(make_settings(tmp_path / "index", tmp_path))) as client:
        response = client.get("/articles/fr/refund-app-store")
    tree = parse(response.text)
    assert tree.get("lang") == "fr" and tree.find(".//article").get("lang") == "en"
    anchors = {"".join(a.itertext()).strip(): a for a in tree.iter("a")}
    assert anchors["Getting a Norton refund"].get("href") == "/articles/fr/refund-policy"
    external = anchors["its support site"]
    assert external.get("href") == "https://support.example.com/refunds?a=1&b=2" and external.get("rel") == "noopener"


def test_bullets_are_lists_and_steps_keep_their_order(site: TestClient) -> None:
    tree = parse(site.get("/articles/en/refund-policy").text)
    where = tree.find(".//section[@id='where-bought']")
    assert where is not None
    items = where.findall("./ul/li")
    assert len(items) == 4 and items[0].find("a").get("href") == "/articles/en/refund-norton-store"
    steps = parse(site.get("/articles/fr/auto-renewal").text).findall(".//section[@id='turn-off']/ol/li")
    expected = next(a for a in CONTENT.articles if a.id == "auto-renewal" and a.locale == "fr").steps
    assert ["".join(li.itertext()) for li in steps] == expected


def test_labels_come_from_the_catalogs_with_their_own_spacing(site: TestClient) -> None:
    fr = site.get("/articles/fr/auto-renewal").text
    assert f"Langues{NBSP}: <a" in fr, "the French message carries its no-break space"
    assert "Langues :" not in fr
    en = site.get("/articles/en/auto-renewal").text
    assert "Languages: <a" in en
    for path, lang in (("/fr/", "fr"), ("/en/", "en"), ("/articles/fr/auto-renewal", "fr")):
        tree = parse(site.get(path).text)
        notice = "".join(tree.find(".//div[@class='notice']").itertext())
        assert gettext(lang, "Independent guide.") in notice
        skip = tree.find(".//a[@class='skip']")
        assert skip is not None and skip.text == gettext(lang, "Skip to content")


def test_breadcrumb_and_brand_lead_to_the_demo_page_in_the_same_language(site: TestClient) -> None:
    tree = parse(site.get("/articles/fr/auto-renewal").text)
    crumbs = tree.find(".//nav[@class='crumbs']/a")
    assert crumbs is not None and crumbs.get("href") == "/fr/" and crumbs.text == "Centre d'aide"
    assert tree.find(".//a[@class='brand']").get("href") == "/fr/"
    home = parse(site.get("/fr/").text)
    assert home.get("lang") == "fr"
    assert home.find(".//h1").text == gettext("fr", "Norton subscriptions, refunds and renewals")
    cards = [a.get("href") for a in home.findall(".//a[@class='card']")]
    assert sorted(cards) == sorted(f"/articles/fr/{i}" for i in CONTENT.ids())


def test_demo_page_follows_accept_language_and_says_it_varies(site: TestClient) -> None:
    fr = site.get("/", headers={"Accept-Language": "fr-CH, en;q=0.5"})
    assert parse(fr.text).get("lang") == "fr" and "Accept-Language" in fr.headers["vary"]
    assert parse(site.get("/", headers={"Accept-Language": "de"}).text).get("lang") == "en"
    assert site.get("/de/").status_code == 404
    assert site.get("/v1/").json()["error"]["code"] == "not_found", "JSON 404s stay JSON"


def head_links(tree, rel: str) -> list[tuple[str | None, str]]:  # type: ignore[no-untyped-def]
    return [(e.get("hreflang"), e.get("href")) for e in tree.findall(f"./head/link[@rel='{rel}']")]


def test_hreflang_and_canonical_links_are_absolute_on_the_public_base_url(site: TestClient) -> None:
    tree = parse(site.get("/articles/fr-CA/auto-renewal").text)
    assert head_links(tree, "canonical") == [(None, f"{BASE}/articles/fr/auto-renewal")]
    assert head_links(tree, "alternate") == [
        ("en", f"{BASE}/articles/en/auto-renewal"),
        ("fr", f"{BASE}/articles/fr/auto-renewal"),
        ("x-default", f"{BASE}/articles/en/auto-renewal"),
    ]
    home = parse(site.get("/fr/").text)
    assert head_links(home, "canonical") == [(None, f"{BASE}/fr/")]
    assert ("x-default", f"{BASE}/") in head_links(home, "alternate")
    missing = parse(site.get("/articles/fr/no-such-article").text)
    assert head_links(missing, "canonical") == []
    assert missing.find("./head/meta[@name='robots']").get("content") == "noindex"


def test_sitemap_lists_every_article_in_every_locale(site: TestClient) -> None:
    response = site.get("/sitemap.xml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    urls = {u.findtext("s:loc", namespaces=SITEMAP_NS): u for u in root.findall("s:url", SITEMAP_NS)}
    expected = {f"{BASE}/articles/{locale}/{i}" for locale in CONTENT.locales for i in CONTENT.ids()}
    assert expected | {f"{BASE}/en/", f"{BASE}/fr/"} == set(urls)
    entry = urls[f"{BASE}/articles/fr/auto-renewal"]
    assert entry.findtext("s:lastmod", namespaces=SITEMAP_NS) == "2026-11-20"
    alternates = {a.get("hreflang"): a.get("href") for a in entry.findall("x:link", SITEMAP_NS)}
    assert alternates == {
        "en": f"{BASE}/articles/en/auto-renewal",
        "fr": f"{BASE}/articles/fr/auto-renewal",
        "x-default": f"{BASE}/articles/en/auto-renewal",
    }


def test_robots_txt_names_the_sitemap(site: TestClient) -> None:
    response = site.get("/robots.txt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in lines and "Disallow: /v1/" in lines


def test_pages_answer_conditional_requests(site: TestClient) -> None:
    first = site.get("/articles/en/refund-policy")
    again = site.get("/articles/en/refund-policy", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert site.head("/articles/en/refund-policy").status_code == 200
