"""Caches in build/ are data, never code: a damaged, foreign or planted cache is ignored and rebuilt."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from conftest import FIXED_NOW
from mlanki.build import build

CACHES = (".mlanki-cache.json", ".mlanki-entries.jsonl")


class Planted:
    """Unpickling this runs code: what a hostile cache in a shared output folder would hold."""

    def __reduce__(self):
        return (Path.write_text, (Path("PWNED"), "code ran"))


def published(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "build").glob("*.apkg"))} | \
        {"record": (root / "source" / "mlanki.lock").read_bytes()}


@pytest.fixture
def clean(project) -> dict[str, bytes]:
    """The bundled deck built once with no cache; what every later build must give byte for byte."""
    build(now=FIXED_NOW)
    return published(project)


def test_a_planted_pickle_is_never_read(project, clean):
    for name in (".mlanki-entries.pickle", ".mlanki-cache.pickle", *CACHES):
        (project / "build" / name).write_bytes(pickle.dumps({"x": Planted()}))
    (project / "source" / "mlanki.lock").unlink()
    for path in (project / "build").glob("*.apkg"):
        path.unlink()
    build(now=FIXED_NOW)
    assert not (project / "PWNED").exists()
    assert published(project) == clean


@pytest.mark.parametrize("content", [
    b"{not json", b"[]", b'{"format": 1}', json.dumps({"format": 1, "code": "another mlanki", "items": {}}).encode(),
    b"\xff\xfe binary",
], ids=["broken", "list", "partial", "foreign", "binary"])
def test_a_damaged_or_foreign_cache_is_ignored_with_a_note_and_rebuilt(project, clean, content):
    Path("source/ml-micro-learning.md").write_text(Path("source/ml-micro-learning.md").read_text() + "\n")
    for name in CACHES:
        (project / "build" / name).write_bytes(content)
    result = build(now=FIXED_NOW)
    assert [n for n in result.notices if "cache" in n] == [
        f"build/{name}: the build cache is damaged or was written by other software; it was ignored and rebuilt"
        for name in CACHES]
    assert published(project) == clean
    json.loads((project / "build" / CACHES[0]).read_text(encoding="utf-8"))  # rebuilt as valid JSON
    header, *items = (project / "build" / CACHES[1]).read_text(encoding="utf-8").splitlines()
    assert json.loads(header)["format"] == 2 and items
    for line in items:  # rebuilt as one valid JSON item a line
        key, value = line.split("\t")
        assert len(key) == 64 and isinstance(json.loads(value), dict)


def test_a_cache_entry_pointing_outside_the_source_folder_is_refused(project, clean):
    entries = project / "build" / ".mlanki-entries.jsonl"
    header, *lines = entries.read_text(encoding="utf-8").splitlines()
    items = [line.split("\t") for line in lines]
    index = next(i for i, (_key, value) in enumerate(items) if '"entry"' in value)
    value = json.loads(items[index][1])
    value["media"] = {"mlanki-0-secret.png": ["../../secret.png", 1, 1]}
    items[index][1] = json.dumps(value)
    entries.write_text("\n".join([header] + ["\t".join(item) for item in items]) + "\n", encoding="utf-8")
    Path("source/ml-micro-learning.md").write_text(Path("source/ml-micro-learning.md").read_text() + "\n")
    result = build(now=FIXED_NOW)
    assert result.notices == ["build/.mlanki-entries.jsonl: the build cache is damaged or was written by other "
                              "software; it was ignored and rebuilt"]
    assert published(project) == clean


def test_the_cache_a_build_writes_passes_its_own_validation(project, clean):
    result = build(now=FIXED_NOW)
    assert result.up_to_date
    assert not [n for n in result.notices if "cache" in n]


def test_every_entry_field_survives_the_entry_cache(tmp_path, monkeypatch):
    """A field added to Entry must be cached too: an edit then builds the same bytes as a clean build
    (the definition cloze's back, added with the parser split, once came back empty from the cache)."""
    from dataclasses import fields

    from mlanki.build import build
    from mlanki.chunks import _entry, _entry_data
    from mlanki.parse import parse_text

    deck = parse_text(Path(__file__).with_name("fixtures").joinpath("ml-micro-learning.md").read_text(encoding="utf-8"),
                      file="x.md")
    for entry in deck.entries:
        assert _entry(json.loads(json.dumps(_entry_data(entry)))) == entry
    assert any(e.definition_context for e in deck.entries), "the fixture has a definition cloze"
    assert {f.name for f in fields(type(deck.entries[0]))} <= set(_entry_data(deck.entries[0]))

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    packages = []
    for name in ("incremental", "clean"):
        folder = tmp_path / name
        (folder / "source").mkdir(parents=True)
        source = folder / "source" / "deck.md"
        text = Path(__file__).with_name("fixtures").joinpath("ml-micro-learning.md").read_text(encoding="utf-8")
        source.write_text(text, encoding="utf-8")
        build(folder / "source", folder / "build")
        if name == "clean":
            for cache in (folder / "build").glob(".mlanki-*"):
                cache.unlink()
        source.write_text(text.replace("#### What is FID score?", "#### What is a new question?\nAn answer.\n***\n"
                                       "#### What is FID score?"), encoding="utf-8")
        (deck_result,) = build(folder / "source", folder / "build").decks
        packages.append(deck_result.latest.read_bytes())
    assert packages[0] == packages[1]


def test_the_same_entry_in_two_files_keeps_each_files_location(tmp_path, monkeypatch):
    """Cache keys include the file: an entry reused from the cache never carries another file's place."""
    from mlanki.build import check_sources

    monkeypatch.chdir(tmp_path)
    (tmp_path / "source").mkdir()
    same = "#### Which one is it?\n* A) one\n* B) two\n\n"  # options and no answer: a warning at its heading
    good = "#### What is a question?\nAn answer.\n"
    (tmp_path / "source" / "a.md").write_text("# **Deck A**\n## **Topic1: T**\n" + good + same, encoding="utf-8")
    (tmp_path / "source" / "b.md").write_text("# **Deck B**\n## **Topic1: T**\n" + good + same, encoding="utf-8")
    build("source", "build")  # fills the cache: within one build, b.md would find a.md's entry
    (tmp_path / "source" / "b.md").write_text("# **Deck B**\n## **Topic1: T**\n" + good.replace("An answer", "Another")
                                              + same, encoding="utf-8")
    result = build("source", "build")
    places = sorted(str(d.location) for d in result.diagnostics if d.code == "no-answer")
    assert places == ["source/a.md:5", "source/b.md:5"]
    assert sorted(str(d.location) for d in check_sources("source") if d.code == "no-answer") == places


def test_a_project_copied_elsewhere_reuses_its_cache_with_its_own_places(tmp_path, monkeypatch):
    """The entry cache is keyed by a file's path in its source folder, not where the project lies: a
    copy (another checkout, a CI runner) re-parses only what changed, and every message and entry
    names the file where it is now."""
    import shutil

    import mlanki.chunks
    from mlanki.build import build

    text = Path(__file__).with_name("fixtures").joinpath("ml-micro-learning.md").read_text(encoding="utf-8")
    first = tmp_path / "first"
    (first / "source").mkdir(parents=True)
    (first / "source" / "deck.md").write_text(text, encoding="utf-8")
    build(first / "source", first / "build", now=FIXED_NOW)
    edited = text.replace("#### What is FID score?", "#### What is a new question?\nAn answer.\n\n***\n"
                          "#### What is FID score?")
    results, parsed = {}, []
    for name, keep_cache in (("copy", True), ("clean", False)):
        shutil.copytree(first, tmp_path / name)
        if not keep_cache:
            for cache in (tmp_path / name / "build").glob(".mlanki-*"):
                cache.unlink()
        (tmp_path / name / "source" / "deck.md").write_text(edited, encoding="utf-8")
        real_put = mlanki.chunks.EntryCache.put
        monkeypatch.setattr(mlanki.chunks.EntryCache, "put", lambda self, key, value: parsed.append(name)
                            or real_put(self, key, value))
        results[name] = build(tmp_path / name / "source", tmp_path / name / "build", now=FIXED_NOW + 1)
        monkeypatch.setattr(mlanki.chunks.EntryCache, "put", real_put)
    assert parsed.count("copy") == 2  # the new entry's evidence and entry; everything else from the cache
    assert parsed.count("clean") > 40
    copy, clean = results["copy"], results["clean"]
    assert [str(d).replace(str(tmp_path / "copy"), str(tmp_path / "clean")) for d in copy.diagnostics + copy.lint] == \
        [str(d) for d in clean.diagnostics + clean.lint]
    assert all("/copy/" in d.location.file for d in copy.diagnostics + copy.lint)
    assert copy.decks[0].latest.read_bytes() == clean.decks[0].latest.read_bytes()
