"""Rich content as the learner sees it: cards rendered by the official anki package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from anki_support import fresh_collection, import_package, rendered, snapshot
from conftest import FIXED_NOW
from mlanki.build import build
from mlanki.render import sanitize

PNG_RED = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
                        "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082")
PNG_BLUE = PNG_RED[:-20] + bytes(reversed(PNG_RED[-20:]))  # another file, same name elsewhere


def card_of(col, question_start: str) -> tuple[str, str]:
    (note,) = [n for n in snapshot(col).notes if n.fields.get("Question", "").startswith(question_start)]
    ((question, answer),) = rendered(col, note.id)
    return question, answer


@pytest.fixture
def deck(tmp_path, monkeypatch):
    """Build source/deck.md (given as text) and import it; returns the collection."""
    monkeypatch.chdir(tmp_path)
    collections = []

    def make(body: str, files: dict[str, bytes] | None = None):
        (tmp_path / "source").mkdir(exist_ok=True)
        for name, data in (files or {}).items():
            (tmp_path / "source" / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "source" / name).write_bytes(data)
        (tmp_path / "source" / "deck.md").write_text("# **Rich**\n## **Topic1: T**\n" + body, encoding="utf-8")
        result = build(now=FIXED_NOW)
        col = fresh_collection(tmp_path)
        import_package(col, result.decks[0].package)
        collections.append(col)
        return col

    yield make
    for col in collections:
        col.close()


def test_math_becomes_mathjax_and_prices_stay_prices(deck):
    col = deck("#### Which loss?\nSome text first here.\nMinimise $\\sum_i (y_i - \\hat y_i)^2$ or \\(x^2\\).\n"
               "It costs $5 and $10; in code `echo $HOME`.\n\n$$\nE = mc^2\n$$\n")
    _q, answer = card_of(col, "Which loss?")
    assert "\\(\\sum_i (y_i - \\hat y_i)^2\\)" in answer
    assert "\\(x^2\\)" in answer
    assert "\\[E = mc^2\\]" in answer
    assert "It costs $5 and $10; in code <code>echo $HOME</code>." in answer


def test_code_keeps_whitespace_and_is_highlighted_inline(deck):
    col = deck("#### Show the code?\nLike this:\n\n```python\ndef f(x):\n    return  x\n```\n\n```\n  a   b\n```\n")
    _q, answer = card_of(col, "Show the code?")
    assert re.search(r'<span style="color: #[0-9A-Fa-f]+; font-weight: bold">def</span>', answer)
    assert "\n    <span" in answer, "indentation survives highlighting"
    assert "<pre class=\"mlanki-code\"><code>  a   b\n</code></pre>" in answer
    assert "<link" not in answer and "stylesheet" not in answer


def test_images_are_packaged_without_name_collisions(deck):
    col = deck("#### Which plot?\nFirst:\n![one](a/fig.png)\n\n<img src=\"b/fig.png\" alt=\"two\">\n",
               files={"a/fig.png": PNG_RED, "b/fig.png": PNG_BLUE})
    _q, answer = card_of(col, "Which plot?")
    names = re.findall(r'src="([^"]+)"', answer)
    assert len(names) == 2 and names[0] != names[1]
    assert all(name.endswith("-fig.png") for name in names)
    media = Path(col.media.dir())
    assert sorted((media / n).read_bytes() for n in names) == sorted([PNG_RED, PNG_BLUE])


def test_remote_images_become_links_never_loaded_and_are_not_packaged(deck):
    col = deck('#### Remote?\n![web](https://example.org/x.png) and <img alt="pixel" src="http://t.example/p.gif">\n')
    _q, answer = card_of(col, "Remote?")
    assert re.search(r'<a href="https://example.org/x.png"[^>]*>web</a>', answer)
    assert re.search(r'<a href="http://t.example/p.gif"[^>]*>pixel</a>', answer)
    assert "<img" not in answer
    assert list(Path(col.media.dir()).iterdir()) == []


def test_tables_lists_details_links_and_entities(deck):
    col = deck("#### All the markup?\nSee:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
               "- outer\n  - inner *em* **strong**\n\n"
               "<details><summary>More</summary>\n\nHidden &amp; shown &lt;3\n\n</details>\n\n"
               "[docs](https://example.org/docs) &mdash; done\n")
    _q, answer = card_of(col, "All the markup?")
    assert "<table>" in answer and "<td>1</td>" in answer
    assert re.search(r"<ul>\s*<li>outer\s*<ul>\s*<li>inner <em>em</em> <strong>strong</strong>", answer)
    assert "<details><summary>More</summary>" in answer and "Hidden &amp; shown &lt;3" in answer
    assert '<a href="https://example.org/docs" rel="noopener noreferrer">docs</a>' in answer
    assert "— done" in answer or "&mdash; done" in answer


XSS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name="q"></form>',
    '<div onclick="alert(1)">hi</div>',
    '<svg onload="alert(1)"></svg>',
    '<object data="x.swf"></object>',
    '<style>body{display:none}</style>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
]
DANGER = re.compile(r"<script|<iframe|<form|<input|<object|<svg|<style|<meta|<base|on\w+\s*=|javascript:|data:text",
                    re.IGNORECASE)


@pytest.mark.parametrize("vector", XSS)
def test_sanitiser_removes_known_xss_vectors(vector):
    cleaned = sanitize(vector)
    assert not DANGER.search(cleaned), cleaned


def test_sanitiser_keeps_harmless_markup():
    harmless = '<details><summary>More</summary><p><b>bold</b> <sub>i</sub> <mark>m</mark></p></details>'
    assert sanitize(harmless) == harmless


def test_cards_in_anki_carry_no_script_from_the_source(deck):
    vectors = [v.replace('src="x"', 'src="https://example.invalid/x.png"') for v in XSS]  # not a missing file
    body = "#### Is it safe?\nYes:\n\n" + "\n\n".join(vectors) + "\n\nInline <span onmouseover=\"x()\">text</span>.\n"
    col = deck(body)
    question, answer = card_of(col, "Is it safe?")
    field_html = answer.split('<hr id="answer">', 1)[1]
    assert not DANGER.search(field_html), field_html
    assert "Inline <span>text</span>." in field_html


def test_a_huge_fence_is_shown_plain_not_highlighted():
    """Highlighting is bounded: a fence past MAX_CHARS is plain code (a 10 MB fence would take minutes)."""
    from mlanki.highlight import MAX_CHARS, highlight

    assert "mlanki-highlight" in highlight("x = 1\n", "python")
    assert highlight("x = 1\n" * (MAX_CHARS // 6 + 1), "python") == ""
