"""The site as a learner gets it: opened from file:// in headless Chromium, cards as Anki renders them."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from anki_support import fresh_collection, import_package, snapshot
from conftest import BUNDLED
from mlanki.site import build as site_build
from mlanki.site.build import build_site
from mlanki.site.mathjax import find_mathjax
from site_support import FIXTURE, copy_source, start_browser

TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", text)).split())


@pytest.fixture(scope="module")
def browser():
    opened = start_browser()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fixture-site")
    return build_site(copy_source(FIXTURE, folder), folder / "build")


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundled-site")
    return build_site(copy_source(BUNDLED.parent, folder), folder / "build")


def deck_page(site, name="index.html") -> Path:
    return site.folder / site.decks[0].slug / name


def anki_questions(package: Path, tmp_path: Path) -> list[str]:
    """The text of every card's front as Anki itself renders it, in no particular order."""
    col = fresh_collection(tmp_path)
    import_package(col, package)
    fronts = [squeezed(plain(col.get_card(cid).render_output().question_text)) for cid in col.find_cards("")]
    col.close()
    return fronts


def squeezed(text: str) -> str:
    """Text without whitespace: the DOM's textContent joins list items with no space, tag stripping with one."""
    return re.sub(r"\s+", "", text)


def page_fronts(page) -> list[str]:
    return [squeezed(t) for t in page.locator(".site-side:first-child .qa").all_text_contents()]


def test_download_link_is_the_built_package(browser, fixture_site):
    for page_path in (fixture_site.folder / "index.html", deck_page(fixture_site)):
        opened = browser.open(page_path)
        href = opened.page.locator("a.site-button[download]").first.evaluate("a => a.href")
        downloaded = Path(unquote(urlparse(href).path))
        built = fixture_site.folder.parent / f"{fixture_site.decks[0].slug}.apkg"
        assert downloaded.read_bytes() == built.read_bytes()
        opened.page.close()


def test_every_card_front_is_on_the_page_as_anki_renders_it(browser, fixture_site, tmp_path):
    opened = browser.open(deck_page(fixture_site))
    package = fixture_site.folder.parent / f"{fixture_site.decks[0].slug}.apkg"
    assert sorted(page_fronts(opened.page)) == sorted(anki_questions(package, tmp_path))
    assert opened.page.locator(".site-card").count() == 7
    opened.page.close()


def test_every_question_of_the_bundled_deck_is_on_the_page(browser, bundled_site, tmp_path):
    col = fresh_collection(tmp_path)
    import_package(col, bundled_site.folder.parent / f"{bundled_site.decks[0].slug}.apkg")
    notes = snapshot(col).notes
    col.close()
    opened = browser.open(deck_page(bundled_site))
    text = " ".join(opened.page.locator(".site-cards").inner_text().split())
    questions = [plain(n.fields.get("Question") or re.sub(r"\{\{c\d+::(.*?)(::.*?)?\}\}", r"\1", n.fields["Text"]))
                 for n in notes]
    assert len(questions) == 21
    missing = [q for q in questions if q not in text]
    assert not missing
    assert not opened.errors and all(url.startswith("file://") for url in opened.requests)
    opened.page.close()


def test_search_filters_cards(browser, fixture_site):
    opened = browser.open(deck_page(fixture_site))
    page = opened.page
    page.fill("#site-search-box", "zebrafish lantern")
    page.wait_for_function("document.querySelectorAll('.site-card:not([hidden])').length < 7")
    visible = page.locator(".site-card:not([hidden])")
    assert visible.count() == 2   # the basic card and its definition cloze
    assert all("zebrafish lantern" in t.lower() for t in visible.all_inner_texts())
    assert "2 of 7 cards" in page.inner_text("#site-search-status")
    page.keyboard.press("Escape")
    assert page.locator(".site-card:not([hidden])").count() == 7
    opened.page.close()


def test_search_lists_matches_on_other_pages(browser, tmp_path, monkeypatch):
    monkeypatch.setattr(site_build, "PAGE_SIZE", 3)
    site = build_site(copy_source(FIXTURE, tmp_path), tmp_path / "build")
    assert site.decks[0].pages == 3
    opened = browser.open(deck_page(site))
    opened.page.fill("#site-search-box", "zebrafish")
    links = opened.page.locator("#site-search-elsewhere a")
    links.first.wait_for()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == 2 and not any(h.startswith("index.html") for h in hrefs)   # both are on later pages
    for href in hrefs:
        page_name, card = href.split("#")
        assert f'id="{card}"' in (deck_page(site, page_name)).read_text(encoding="utf-8")
    links.first.click()
    opened.page.wait_for_url("**/" + hrefs[0])
    assert "zebrafish" in opened.page.locator(f"#{hrefs[0].split('#')[1]}").inner_text().lower()
    assert not opened.errors and all(url.startswith("file://") for url in opened.requests)
    opened.page.close()


def test_night_switch_changes_the_background(browser, fixture_site):
    opened = browser.open(deck_page(fixture_site))
    page = opened.page
    style = "() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.card')).backgroundColor]"
    day = page.evaluate(style)
    page.click("#site-night")
    night = page.evaluate(style)
    assert night[0] != day[0] and night[1] != day[1]
    assert page.get_attribute("#site-night", "aria-pressed") == "true"
    assert page.evaluate("document.querySelector('.card').classList.contains('nightMode')")
    page.click("#site-night")
    assert page.evaluate(style) == day
    opened.page.close()


def test_night_follows_the_system_until_the_learner_chooses(browser, fixture_site):
    opened = browser.open(deck_page(fixture_site), dark=True)
    assert opened.page.get_attribute("#site-night", "aria-pressed") == "true"
    opened.page.close()


def test_pages_make_no_network_request_and_no_console_error(browser, fixture_site):
    for page_path in (fixture_site.folder / "index.html", deck_page(fixture_site)):
        opened = browser.open(page_path)
        opened.page.click("#site-night")
        opened.page.fill("#site-search-box", "python") if opened.page.locator("#site-search-box").count() else None
        opened.page.wait_for_timeout(200)
        assert opened.requests and all(url.startswith("file://") for url in opened.requests), opened.requests
        assert opened.errors == []
        opened.page.close()


@pytest.mark.parametrize("site, name", [("fixture_site", "index.html"), ("fixture_site", "deck"),
                                        ("bundled_site", "index.html"), ("bundled_site", "deck")])
def test_no_horizontal_scroll_at_phone_width(browser, request, site, name):
    site = request.getfixturevalue(site)
    path = deck_page(site) if name == "deck" else site.folder / name
    opened = browser.open(path, width=420)
    assert opened.page.evaluate("document.documentElement.scrollWidth") <= 420
    opened.page.close()


def test_each_card_links_to_its_source_when_source_url_is_set(browser, fixture_site):
    opened = browser.open(deck_page(fixture_site))
    links = opened.page.eval_on_selector_all(".site-card .site-source a", "links => links.map(a => a.href)")
    assert len(links) == 7
    assert all(re.fullmatch(r"https://example\.org/deck/blob/v1\.0\.0/(\S+/)?site-fixture\.md#L\d+", url) for url in links)
    assert not [url for url in opened.requests if not url.startswith("file://")]   # links are not followed
    opened.page.close()


def test_images_are_shown_from_the_site(browser, fixture_site):
    opened = browser.open(deck_page(fixture_site))
    widths = opened.page.eval_on_selector_all(".qa img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths == [40]
    opened.page.close()


def sigmoid_back(opened):
    return opened.page.locator(".site-card", has_text="sigmoid").locator(".site-side").nth(1)


@pytest.mark.skipif(find_mathjax() is None, reason="MathJax comes from Anki desktop's wheel: "
                    "pip install --no-deps aqt==26.9.3 (the release workflow does)")
def test_math_is_typeset_with_anki_desktops_mathjax(browser, fixture_site):
    assert fixture_site.math
    opened = browser.open(deck_page(fixture_site))
    assert sigmoid_back(opened).locator("mjx-container").count() == 1
    assert not opened.errors and all(url.startswith("file://") for url in opened.requests)
    opened.page.close()


def test_without_mathjax_math_stays_readable_tex(browser, tmp_path, monkeypatch):
    from mlanki.site import mathjax

    monkeypatch.setattr(mathjax, "find_mathjax", lambda: None)
    site = build_site(copy_source(FIXTURE, tmp_path), tmp_path / "build")
    assert not site.math and not (site.folder / "static" / "mathjax").exists()
    opened = browser.open(deck_page(site))
    assert "\\frac{1}{1 + e^{-x}}" in sigmoid_back(opened).inner_text()
    assert "Math is shown as TeX source" in opened.page.inner_text("main")
    assert not opened.errors and all(url.startswith("file://") for url in opened.requests)
    opened.page.close()


def test_keyboard_reaches_the_controls(browser, fixture_site):
    opened = browser.open(deck_page(fixture_site))
    page = opened.page
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert focused == ["Skip to content", "← All decks", "site-phone", "site-night"]
    page.keyboard.press("Enter")
    assert page.get_attribute("#site-night", "aria-pressed") == "true"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search-box"
    opened.page.close()
