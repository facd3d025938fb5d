"""render.py's rules one by one, as the learner sees them where it matters.

Card-level checks build a deck and import it into a fresh collection with the official ``anki``
package (``card.question()`` / ``card.answer()`` through ``rendered``); the sanitiser's and the
media name's rules are pinned by direct calls, the honest level for a pure function.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from anki_support import fresh_collection, import_package, rendered, snapshot
from conftest import FIXED_NOW
from mlanki import render
from mlanki.build import build
from mlanki.errors import SourceError
from test_render import PNG_BLUE, PNG_RED, card_of, deck  # noqa: F401 - deck is a fixture

LISTS = """#### Lists?
These are the steps, one by one.

1. first line
   second line
2. hard\\
   break
3. plain
   - [x] done
   - [ ] todo

> quoted one
> quoted two
"""


def test_line_breaks_inside_list_items_and_quotes_stay_lines_and_tasks_show_their_box(deck):
    _q, answer = card_of(deck(LISTS), "Lists?")
    assert "<li>first line<br>\nsecond line</li>" in answer
    assert "<li>hard<br>\nbreak</li>" in answer
    assert "<p>quoted one<br>\nquoted two</p>" in answer
    assert '<li class="mlanki-task">\u2611 done</li>' in answer
    assert '<li class="mlanki-task">\u2610 todo</li>' in answer


def test_without_line_breaks_soft_breaks_join_but_a_hard_break_stays(deck, tmp_path):
    (tmp_path / "setup.cfg").write_text("[mlanki]\nline_breaks = false\n", encoding="utf-8")
    _q, answer = card_of(deck(LISTS), "Lists?")
    assert "<li>first line\nsecond line</li>" in answer
    assert "<li>hard<br>\nbreak</li>" in answer
    assert "<p>quoted one\nquoted two</p>" in answer


def test_marks_are_numbered_from_c1_and_after_explicit_clozes(deck):
    col = deck("#### Gaps?\nA ==one== and ==two==.\n***\n#### More gaps?\nFirst {{c3::three}} {{c1::one}}, then ==four==.\n")
    texts = sorted(n.fields["Text"] for n in snapshot(col).notes if "Text" in n.fields)
    assert any("{{c1::one}} and {{c2::two}}" in t for t in texts), texts
    assert any("{{c3::three}} {{c1::one}}, then {{c4::four}}" in t for t in texts), texts
    (gaps,) = [n for n in snapshot(col).notes if "{{c1::one}} and" in n.fields.get("Text", "")]
    assert gaps.card_count == 2
    first_question = rendered(col, gaps.id)[0][0]
    assert 'data-ordinal="1">[...]</span> and <span class="cloze-inactive" data-ordinal="2">two</span>' in first_question


def test_links_mail_and_anchors(deck):
    col = deck('#### Where?\nMail <a href="mailto:a@b.org">me</a>, [you](mailto:c@d.org), '
               '<a href="http://e.org/p">plain</a> and [back to top](#top).\n')
    _q, answer = card_of(col, "Where?")
    links = re.findall(r'<a href="([^"]*)" rel="noopener noreferrer">([^<]*)</a>', answer)
    assert links == [("mailto:a@b.org", "me"), ("mailto:c@d.org", "you"), ("http://e.org/p", "plain")]
    assert "and back to top." in answer and 'href="#top"' not in answer


def test_remote_images_without_alt_show_their_address_and_markup_in_alt_is_text(deck):
    col = deck("#### Remote plots?\nSee ![](https://e.org/b.png) and ![the *fine* plot](https://e.org/a.png).\n")
    _q, answer = card_of(col, "Remote plots?")
    assert re.search(r'<a href="https://e.org/b.png"[^>]*>https://e.org/b.png</a>', answer)
    assert re.search(r'<a href="https://e.org/a.png"[^>]*>the fine plot</a>', answer)


def test_missing_images_with_warnings_say_so_on_the_card(deck, tmp_path):
    (tmp_path / "setup.cfg").write_text("[mlanki]\nmissing_media = warning\n", encoding="utf-8")
    col = deck('#### Missing plots?\nSee ![](gone.png), ![the plot](lost.png) and <img src="away.png" alt="a">.\n')
    _q, answer = card_of(col, "Missing plots?")
    assert '<span class="mlanki-missing">image missing: gone.png</span>' in answer
    assert '<span class="mlanki-missing">image missing: the plot</span>' in answer
    assert '<img src="away.png" alt="a">' in answer  # HTML written by the author keeps its (missing) src


def test_a_missing_image_is_an_error_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "deck.md").write_text("# **D**\n## **Topic1: T**\n#### Which?\nThis:\n<img src=\"gone.png\">\n",
                                                 encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        build(now=FIXED_NOW)
    assert [(str(d), d.code) for d in raised.value.diagnostics if d.is_error] == [
        ("source/deck.md:5: error: image 'gone.png' not found", "image")]


def test_html_images_without_src_are_left_alone_and_local_ones_packaged(deck):
    col = deck('#### Figures?\n<img alt="nothing"> and <img alt="red" src="fig.png">\n', files={"fig.png": PNG_RED})
    _q, answer = card_of(col, "Figures?")
    name = f"mlanki-{hashlib.sha256(PNG_RED).hexdigest()[:12]}-fig.png"
    assert '<img alt="nothing">' in answer and f'<img alt="red" src="{name}">' in answer
    assert (Path(col.media.dir()) / name).read_bytes() == PNG_RED


def test_block_html_and_struck_text_as_anki_shows_them(deck):
    col = deck("#### Old and new?\nThe ~~old~~ way:\n\n<div>block</div>\n\nThen more.\n")
    (note,) = [n for n in snapshot(col).notes if n.fields.get("Question") == "Old and new?"]
    assert note.fields["Answer"] == "<p>The <del>old</del> way:</p>\n<div>block</div>\n<p>Then more.</p>"


def test_code_language_is_the_first_word_of_the_info_and_unknown_ones_stay_plain(deck):
    col = deck('#### Code?\nTwo:\n\n```python title="x.py"\nx = 1\n```\n\n```nosuchlanguage\ny = 2\n```\n')
    _q, answer = card_of(col, "Code?")
    assert 'class="mlanki-code mlanki-highlight"' in answer and '<span style="color: #666">=</span>' in answer
    assert '<pre class="mlanki-code"><code>y = 2\n</code></pre>' in answer


def test_highlighted_code_keeps_its_styles_in_a_field_with_raw_html(deck):
    col = deck("#### Code and HTML?\nBoth:\n\n```python\nx = 1\n```\n\n<b>raw</b> and <span style=\"color:#fff\">w</span>\n")
    _q, answer = card_of(col, "Code and HTML?")
    # The block's own light background would not pass the author's filter (too close to night text).
    assert '<div class="mlanki-code mlanki-highlight" style="background: #f0f0f0">' in answer
    assert '<span style="color: #40A070">1</span>' in answer
    assert "<b>raw</b>" in answer and "<span>w</span>" in answer


# -- images in incremental rebuilds ---------------------------------------------------------------
TWO = "#### Which plot?\nThis:\n![plot](fig.png)\n***\n#### Other?\nText {n}.\n"


def _build_and_import(tmp_path, body: str):
    (tmp_path / "source" / "deck.md").write_text("# **Rich**\n## **Topic1: T**\n" + body, encoding="utf-8")
    result = build(now=FIXED_NOW)
    col = fresh_collection(tmp_path)
    import_package(col, result.decks[0].latest)
    question, answer = card_of(col, "Which plot?")
    return col, answer


@pytest.fixture
def rebuilt(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "fig.png").write_bytes(PNG_RED)
    collections = []

    def again(n: int):
        col, answer = _build_and_import(tmp_path, TWO.format(n=n))
        collections.append(col)
        return col, answer

    again(1)
    yield tmp_path / "source" / "fig.png", again
    for col in collections:
        col.close()


def _packaged(data: bytes) -> str:
    return f"mlanki-{hashlib.sha256(data).hexdigest()[:12]}-fig.png"


def test_an_entry_reused_from_the_cache_still_packages_its_image(rebuilt):
    _fig, again = rebuilt
    col, answer = again(2)  # only the other entry changed: the plot's entry comes from the cache
    assert f'src="{_packaged(PNG_RED)}"' in answer
    assert (Path(col.media.dir()) / _packaged(PNG_RED)).read_bytes() == PNG_RED


def test_a_changed_image_is_packaged_again_under_its_new_name(rebuilt):
    fig, again = rebuilt
    fig.write_bytes(PNG_BLUE + b"more")  # another size
    col, answer = again(2)
    assert f'src="{_packaged(PNG_BLUE + b"more")}"' in answer
    assert (Path(col.media.dir()) / _packaged(PNG_BLUE + b"more")).read_bytes() == PNG_BLUE + b"more"


def test_an_image_changed_in_place_with_the_same_size_is_noticed_by_its_time(rebuilt):
    fig, again = rebuilt
    stat = fig.stat()
    fig.write_bytes(PNG_BLUE)  # the same size
    os.utime(fig, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    _col, answer = again(2)
    assert f'src="{_packaged(PNG_BLUE)}"' in answer


def test_a_deleted_image_stops_the_rebuild_at_its_line(rebuilt):
    fig, again = rebuilt
    fig.unlink()
    with pytest.raises(SourceError) as raised:
        again(2)
    assert [str(d) for d in raised.value.diagnostics if d.is_error] == [
        "source/deck.md:5: error: image 'fig.png' not found"]


def test_stamps_are_relative_so_a_moved_project_still_matches(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "fig.png").write_bytes(PNG_RED)
    media = render.MediaFiles(tmp_path)
    name = media.add(tmp_path / "a", "fig.png")
    stamps = media.stamps([name])
    stat = (tmp_path / "a" / "fig.png").stat()
    assert stamps == {name: ("a/fig.png", len(PNG_RED), stat.st_mtime_ns)}
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    tmp_path.rename(moved)
    again = render.MediaFiles(moved)
    assert again.still_valid(stamps)
    again.restore(stamps)
    assert again.files == {name: (moved / "a" / "fig.png").resolve()}


# -- the sanitiser's schemes and sizes, pinned ---------------------------------------------------
@pytest.mark.parametrize("markup, cleaned", [
    ('<a href="mailto:a@b.org">m</a>', '<a href="mailto:a@b.org" rel="noopener noreferrer">m</a>'),
    ('<a href="http://e.org/">h</a>', '<a href="http://e.org/" rel="noopener noreferrer">h</a>'),
    ('<a href="ftp://e.org/">f</a>', '<a rel="noopener noreferrer">f</a>'),
    ('<a href="tel:123">t</a>', '<a rel="noopener noreferrer">t</a>'),
    ('<embed src="x.swf">ok', "ok"),
    ('<img src="a.png" width="120px" height="3em">', '<img src="a.png" width="120px">'),
    ('<img src="a.png" width="120x">', '<img src="a.png">'),
    ('<img src="a.png" width="wide" height="">', '<img src="a.png">'),
    ('<img src="a.png" width="1200" height="1201">', '<img src="a.png" width="1200">'),
])
def test_link_schemes_embeds_and_image_sizes(markup, cleaned):
    assert render.sanitize(markup) == cleaned


# -- media names, pinned ----------------------------------------------------------------------------
def test_a_remote_image_is_never_added_to_the_media(tmp_path):
    with pytest.raises(ValueError, match=r"^remote image 'https://e.org/x.png' is not packaged; it stays a link"):
        render.MediaFiles(tmp_path).add(tmp_path, "https://e.org/x.png")


def test_long_missing_names_are_shortened_in_messages_and_outside_files_are_not_read(tmp_path):
    (tmp_path / "deck").mkdir()
    (tmp_path / "secret.png").write_bytes(PNG_RED)
    media = render.MediaFiles(tmp_path / "deck")
    with pytest.raises(ValueError) as raised:
        media.add(tmp_path / "deck", "d/" * 40 + "x.png")
    assert str(raised.value) == "image '" + ("d/" * 40)[:80] + "…' not found"
    with pytest.raises(ValueError) as raised:
        media.add(tmp_path / "deck", "d/" * 39 + "xy")
    assert str(raised.value) == "image '" + "d/" * 39 + "xy' not found"
    with pytest.raises(ValueError, match=r"^image '../secret.png' is outside the source folder; it was not read$"):
        media.add(tmp_path / "deck", "../secret.png")
    assert media.files == {}


def test_unreadable_images_say_why(tmp_path):
    media = render.MediaFiles(tmp_path)
    with pytest.raises(ValueError) as raised:
        media.add(tmp_path, "x" * 300 + ".png")
    assert str(raised.value) == "image '" + "x" * 80 + "…' cannot be read: File name too long"
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(ValueError) as raised:
        media.add(tmp_path, "loop")
    assert str(raised.value) in ("image 'loop' cannot be read: cannot be read",                 # RuntimeError
                                 "image 'loop' cannot be read: Too many levels of symbolic links")  # newer Pythons


@pytest.mark.parametrize("name, expected", [
    ("a" + "é" * 60 + ".png", "a" + "é" * 47 + ".png"),       # a cut inside a character drops it whole
    ("x" * 100, "x" * 100),                                      # exactly the room: kept
    ("x" * 120 + ".abcdefghij", "x" * 89 + ".abcdefghij"),    # an extension of 10 characters is kept
    ("x" * 120 + ".abcdefghijk", "x" * 100),                     # a longer one is just part of the name
    ("x" * 120, "x" * 100),
])
def test_media_names_fit_ankis_limit_of_120_bytes(tmp_path, name, expected):
    (tmp_path / name).write_bytes(PNG_RED)
    packaged = render.MediaFiles(tmp_path).add(tmp_path, name)
    assert packaged == f"mlanki-{hashlib.sha256(PNG_RED).hexdigest()[:12]}-{expected}"
    assert len(packaged.encode("utf-8")) <= 120
