"""Every text that reaches a card or a name is inert, checked in what Anki renders.

Hostile text goes into every place a source can put text (file name, deck title and description,
topic heading, question, answer, options, explanation, cloze, explicit id); the built deck is
imported with the official ``anki`` package and every card's ``card.question()`` and
``card.answer()`` is parsed: no live script, no event handler, no ``javascript:``, no remote
load, no ``url()`` in any style. The sanitiser's allowlists are pinned here too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from anki_support import fresh_collection, import_package
from conftest import FIXED_NOW
from mlanki import cssfilter, render
from mlanki.build import build

XSS = '<img src=x onerror=alert(1)><script>alert(2)</script><svg/onload=alert(3)>'
CSS = ('<span style="color:#fff">white</span> <span style="background:url(http://t.example/p.gif)">bg</span> '
       '<div style="margin:-9999px">gone</div> <p style="width:100000px;height:100000px">huge</p> '
       '<span style="color:transparent">invisible</span> <img src="http://t.example/pixel.gif" alt="px">')
HOSTILE = f"""# {XSS} Deck
An intro {XSS} {CSS}

## **Topic1: {XSS}**

#### Question {XSS} one?
Answer {XSS} {CSS}
<a href="javascript:alert(4)">link</a> <a href="JaVaScRiPt:alert(5)">link2</a>
***
#### Which one {XSS}? <!-- mlanki-id: x"><script>alert(6)</script> -->
* A) first {XSS}
* B) second {CSS}

The correct answer is B. Because {XSS}.
***
#### Fill the gap?
A {{{{c1::cloze {XSS}}}}} and ==mark {CSS}==.

## **Topic2: List<String> and a < b & c**

#### What is List<String>?
A generic list of strings; `List<String>` in code.
"""


class Collector(HTMLParser):
    """What a browser would make live: elements, attributes, script text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.inside: list[str] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self.inside.append(tag)

    def handle_endtag(self, tag):
        if tag in self.inside:
            del self.inside[len(self.inside) - 1 - self.inside[::-1].index(tag):]

    def handle_data(self, data):
        if self.inside and self.inside[-1] == "script":
            self.scripts.append(data)
        elif self.inside and self.inside[-1] == "style":
            self.styles.append(data)
        else:
            self.text.append(data)


def problems_in(html_text: str) -> list[str]:
    parsed = Collector()
    parsed.feed(html_text)
    found = [f"script: {s!r}" for s in parsed.scripts if s.strip()]
    found += [f"<{tag}>" for tag, _ in parsed.elements if tag in ("script", "svg", "iframe", "object", "embed",
                                                                   "form", "base", "meta", "link")]
    for tag, attrs in parsed.elements:
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            if re.match(r"\s*javascript:", value, re.IGNORECASE):
                found.append(f"<{tag} {name}={value}>")
            if name == "style" and "url(" in value.lower():
                found.append(f"<{tag} style={value}>")
        if tag in ("img", "audio", "video", "source", "input") and re.match(
                r"\s*(?:[a-z][a-z0-9+.-]*:|//)", attrs.get("src", ""), re.IGNORECASE):
            found.append(f"remote <{tag} src={attrs['src']}>")
    found += [f"url() in <style>: {s[:60]!r}" for s in parsed.styles if "url(" in s.lower()]
    return found


def visible_text(html_text: str) -> str:
    parsed = Collector()
    parsed.feed(html_text)
    return " ".join(" ".join(parsed.text).split())


@pytest.fixture(scope="module")
def hostile_cards(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    (root / "source").mkdir()
    (root / "source" / "x onerror=alert(7) <b>.md").write_text(HOSTILE, encoding="utf-8")
    result = build(root / "source", root / "build", now=FIXED_NOW)
    col = fresh_collection(root)
    import_package(col, result.decks[0].package)
    cards = [col.get_card(cid) for cid in sorted(col.find_cards(""))]
    yield col, [(card.question(), card.answer()) for card in cards]
    col.close()


def test_no_card_has_live_script_handlers_javascript_remote_loads_or_url(hostile_cards):
    _col, cards = hostile_cards
    assert len(cards) >= 5
    for question, answer in cards:
        assert problems_in(question) == [], question
        assert problems_in(answer) == [], answer


def test_hostile_text_stays_visible_as_text(hostile_cards):
    _col, cards = hostile_cards
    shown = " ".join(visible_text(a) for _q, a in cards)
    assert "List<String>" in shown, "text that is not HTML is shown as written"
    assert "List<String> and a < b & c" in shown  # the topic, as text
    assert "x onerror=alert(7) <b>.md" in shown    # the source file name, as text
    assert "<img src=x onerror=alert(1)>" in shown  # a topic made of markup is shown, not run


def test_hidden_and_overlaying_css_is_dropped_and_remote_images_are_links(hostile_cards):
    _col, cards = hostile_cards
    answer = next(a for q, a in cards if "Question" in q).split('<hr id="answer">', 1)[1]
    assert "margin:-9999px" not in answer and "100000px" not in answer and "transparent" not in answer
    assert 'style="color:#fff"' not in answer
    assert re.search(r'<a href="http://t.example/pixel.gif"[^>]*>px</a>', answer)


def test_deck_names_and_tags_hold_no_markup(hostile_cards):
    col, _cards = hostile_cards
    names = [d.name for d in col.decks.all_names_and_ids()]
    tags = col.tags.all()
    assert not any("<" in n or ">" in n for n in names + tags), (names, tags)
    assert any("List\u2039String\u203a" in n for n in names)


# -- the allowlist, pinned ------------------------------------------------------------------------------
def test_allowed_tags_attributes_and_css_properties_are_pinned():
    assert sorted(render._ALLOWED_TAGS) == [
        "a", "abbr", "acronym", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code", "col",
        "colgroup", "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1",
        "h2", "h3", "h4", "h5", "h6", "hgroup", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
        "q", "rp", "rt", "rtc", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr"]
    assert render._ALLOWED_ATTRIBUTES == {
        "*": {"class", "style", "title"}, "a": {"href", "hreflang"}, "img": {"src", "alt", "width", "height"},
        "ol": {"start", "type"}, "td": {"colspan", "rowspan", "align"},
        "th": {"colspan", "rowspan", "align", "scope"}, "details": {"open"}}
    assert sorted(cssfilter.ALLOWED_PROPERTIES) == [
        "background", "background-color", "border", "color", "font-style", "font-weight", "height", "line-height",
        "margin", "max-width", "padding", "text-align", "text-decoration", "width"]


KEPT = [
    '<a href="https://example.org/" title="t" hreflang="en" rel="noopener noreferrer">x</a>',
    '<img src="mlanki-abc-fig.png" alt="fig" width="120" height="50%">',
    '<ol start="3" type="a"><li class="c">x</li></ol>',
    '<table><tbody><tr><th colspan="2" rowspan="1" align="left" scope="col">h</th>'
    '<td colspan="2" rowspan="1" align="right">d</td></tr></tbody></table>',
    '<details open=""><summary>More</summary><p><b>bold</b> <sub>i</sub> <mark>m</mark> <kbd>k</kbd></p></details>',
    '<p style="color:red">x</p>', '<p style="color:#1a7f37;font-weight:bold">x</p>',
    '<span style="background:yellow;color:black">x</span>', '<p style="background-color:#808080">x</p>',
    '<img src="a.png" style="max-width:70%">', '<p style="margin:1em 2px;padding:0.5em">x</p>',
    '<p style="border:1px solid #ccc;line-height:1.4">x</p>', '<p style="text-align:center;font-style:italic">x</p>',
    '<p style="text-decoration:underline;width:20em;height:auto">x</p>',
]


@pytest.mark.parametrize("markup", KEPT)
def test_allowed_markup_and_css_are_kept(markup):
    assert render.sanitize(markup) == markup


DROPPED = [
    ('<script>alert(1)</script>ok', "ok"), ("<style>p{display:none}</style>ok", "ok"),
    ('<textarea>x</textarea><select><option>o</option></select>ok', "ok"),
    ("<iframe>inner</iframe>ok", "ok"), ("<form>inner</form>ok", "ok"), ("<object>inner</object>ok", "ok"),
    ('<p style="background:url(http://t.example/x)">x</p>', "<p>x</p>"),
    ('<p style="background-image:url(x);color:red">x</p>', '<p style="color:red">x</p>'),
    ('<p style="color:#fff">x</p>', "<p>x</p>"), ('<p style="color:white;background:#fefefe">x</p>', "<p>x</p>"),
    ('<p style="color:transparent">x</p>', "<p>x</p>"), ('<p style="color:rgba(0,0,0,0)">x</p>', "<p>x</p>"),
    ('<p style="color:#000">x</p>', "<p>x</p>"),  # black on the night background
    ('<p style="background:#1f2328">x</p>', "<p>x</p>"),  # the text's own colour as background
    ('<p style="margin:-9999px">x</p>', "<p>x</p>"), ('<p style="margin:0 0 0 -5em">x</p>', "<p>x</p>"),
    ('<p style="width:100000px">x</p>', "<p>x</p>"), ('<p style="height:100vh">x</p>', "<p>x</p>"),
    ('<p style="line-height:0">x</p>', "<p>x</p>"), ('<p style="position:fixed;top:0">x</p>', "<p>x</p>"),
    ('<p style="color:r\\65 d">x</p>', "<p>x</p>"), ('<p style="width:calc(100% + 9999px)">x</p>', "<p>x</p>"),
    ('<p style="border:1px solid url(x)">x</p>', "<p>x</p>"), ('<p style="border:99px solid red">x</p>', "<p>x</p>"),
    ('<img src="http://t.example/p.gif">', "<img>"), ('<img src="//t.example/p.gif">', "<img>"),
    ('<img src="a.png" width="100000">', '<img src="a.png">'),
]


@pytest.mark.parametrize("markup, cleaned", DROPPED)
def test_dangerous_markup_and_css_are_dropped_not_shown(markup, cleaned):
    assert render.sanitize(markup) == cleaned


def test_a_long_image_name_fits_ankis_media_name_limit_and_keeps_its_extension(tmp_path):
    long_name = "é" * 50 + "i" * 140 + ".png"
    (tmp_path / long_name).write_bytes(b"\x89PNG fake")
    (tmp_path / "short.png").write_bytes(b"\x89PNG fake")
    media = render.MediaFiles(tmp_path)
    name = media.add(tmp_path, long_name)
    assert len(name.encode("utf-8")) == render.MAX_MEDIA_NAME and name.endswith("é.png")
    assert name.startswith("mlanki-") and "é" * 10 in name
    assert media.add(tmp_path, "short.png").endswith("-short.png")
