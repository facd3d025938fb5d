"""``mlanki serve`` updates its site in place: after edits, additions, deletions and moves the files it
serves are the files a fresh ``mlanki site`` writes from the same packages; a broken build changes none.

The preview is driven save by save (``Preview.rebuild``, what the watcher calls), and each time its site
folder is compared with ``build_site`` run on a copy of the same output folder.
"""

from __future__ import annotations

import re
import shutil
import urllib.request
from pathlib import Path

import pytest

import mlanki.site.build as site_build
from mlanki.serve import Preview
from mlanki.site.build import build_site
from mlanki.sync.content import read_package
from site_support import FIXTURE, copy_source

ADDED = """
***
#### What does a learning rate control?
The size of each step that gradient descent takes.
"""
SECOND_DECK = """# Second Deck

## Only topic

#### What colour is a zebrafish lantern in the second deck?
Green, in this second deck only.
"""
PRINT_ENTRY = '***\n#### How do you print in Python?\n```python\nprint("hello")\n```\n\n'
_CARD_ID = re.compile(r"\b([ct])(\d{10,})\b")


def move_lantern_to_topic1(text: str) -> str:
    """The lantern entry (the last one, under Topic2) moved to the end of Topic1."""
    at = text.index("#### What is a zebrafish lantern?")
    entry = text[at:]
    text = text[:at].rstrip().removesuffix("***").rstrip() + "\n"
    return text.replace("\n## **Topic2: Recall**", "\n***\n" + entry + "\n## **Topic2: Recall**")


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def package_card_ids(output: Path) -> set[int]:
    return {cid for package in output.glob("*.apkg") for note in read_package(package, "").notes
            for cid, _ord, _due in note.cards}


def comparable(content: bytes, ids: set[int]) -> tuple[bytes, int]:
    """Pages with the card ids Anki gave anew on import named alike; how many it renamed.

    Anki's importer gives a card whose id lies in the future (mlanki's ids are note id + ordinal) a new
    id from the clock, so two imports of one package name such cards differently: a fresh `mlanki site`
    run twice differs there too. Every other byte must be equal.
    """
    renamed = 0

    def name(match: re.Match) -> str:
        nonlocal renamed
        if int(match[2]) in ids:
            return match[0]
        renamed += 1
        return match[1] + "-reassigned"
    text = _CARD_ID.sub(name, content.decode("utf-8"))
    return text.encode("utf-8"), renamed


def assert_same_as_a_full_site(preview: Preview, tmp_path: Path, name: str) -> None:
    output = preview.workspace.settings.output
    copy = tmp_path / f"full-{name}"
    shutil.copytree(output, copy, ignore=shutil.ignore_patterns("site"))
    full = build_site(settings=preview.workspace.settings.with_flags(output=copy)).folder
    served, fresh = files(preview.workspace.site), files(full)
    assert sorted(served) == sorted(fresh), name
    ids = package_card_ids(output)
    for path in served:
        if path.endswith((".html", ".js")) and not path.startswith("static/"):
            mine, renamed = comparable(served[path], ids)
            theirs, renamed_there = comparable(fresh[path], ids)
            assert renamed == renamed_there, (name, path)
            assert mine == theirs, (name, path)
        else:
            assert served[path] == fresh[path], (name, path)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "setup.cfg").write_text("[mlanki]\n", encoding="utf-8")
    source = copy_source(FIXTURE, tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(site_build, "PAGE_SIZE", 3)  # several pages and a search index from a small deck
    return source


def test_saves_update_the_served_site_to_what_a_full_site_writes(project, tmp_path):
    file = project / "site-fixture.md"
    text = file.read_text(encoding="utf-8")
    lines: list[str] = []
    with Preview("source", port=0, report=lines.append) as preview:
        assert_same_as_a_full_site(preview, tmp_path, "first build")
        steps = [
            ("edit", lambda t: t.replace("to test searching.", "to test searching, edited.")),
            ("add", lambda t: t.replace("A single red square.\n", "A single red square.\n" + ADDED)),
            ("delete", lambda t: t.replace(PRINT_ENTRY, "")),
            ("move to another topic", move_lantern_to_topic1),
            ("cloze gains a card", lambda t: t.replace("small filters", "small {{c2::filters}}")),
            ("description", lambda t: t.replace("multiple choice and cloze.", "multiple choice, and cloze.")),
        ]
        for name, change in steps:
            changed = change(text)
            assert changed != text, f"step '{name}' changed nothing"
            text = changed
            file.write_text(text, encoding="utf-8")
            assert preview.rebuild(), (name, lines[-3:])
            assert_same_as_a_full_site(preview, tmp_path, name)
        deck = preview.workspace.site / "site-fixture-deck"
        pages = [deck / "index.html"] + [deck / f"page-{n}.html" for n in range(2, len(list(deck.glob("*.html"))) + 1)]
        shown = "".join(page.read_text(encoding="utf-8") for page in pages)
        assert "print(" not in shown and "What does a learning rate control?" in shown
        assert shown.index("zebrafish lantern?") < shown.index('id="h-topic-recall"')  # now under Basics
        # A second deck comes and goes.
        (project / "second.md").write_text(SECOND_DECK, encoding="utf-8")
        assert preview.rebuild()
        assert_same_as_a_full_site(preview, tmp_path, "second deck added")
        assert (preview.workspace.site / "second-deck" / "index.html").is_file()
        (project / "second.md").unlink()
        assert preview.rebuild()
        assert_same_as_a_full_site(preview, tmp_path, "second deck's source removed")  # its packages stay published
        assert any("collection" in line and "render" in line for line in lines)


def test_a_broken_save_keeps_every_file_of_the_last_good_site_and_shows_its_errors(project, tmp_path):
    file = project / "site-fixture.md"
    text = file.read_text(encoding="utf-8")
    with Preview("source", port=0, report=lambda line: None) as preview:
        file.write_text(text.replace("to test searching.", "to test searching, once."), encoding="utf-8")
        assert preview.rebuild()
        good = files(preview.workspace.site)
        broken = text.replace("A single red square.", "A single red square.\n![gone](missing.png)")
        file.write_text(broken, encoding="utf-8")
        assert not preview.rebuild()
        line = broken.split("\n").index("![gone](missing.png)") + 1
        assert preview.status.read()[1] == [f"source/site-fixture.md:{line}: error: image 'missing.png' not found"]
        assert files(preview.workspace.site) == good
        with urllib.request.urlopen(preview.url, timeout=30) as response:
            assert 'id="mlanki-serve-errors"' in response.read().decode("utf-8")
        file.write_text(text.replace("to test searching.", "to test searching, twice."), encoding="utf-8")
        assert preview.rebuild() and preview.status.read()[1] == []
        assert_same_as_a_full_site(preview, tmp_path, "after the broken save")
        assert b"searching, twice." in b"".join(files(preview.workspace.site).values())
