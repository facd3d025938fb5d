"""Updating a deck a learner already studies: cards change in place and keep their history.

Every check goes through the official ``anki`` package with its default import options:
import v1, review every card, edit the Markdown, rebuild, import v2, look at the collection.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from anki_support import fresh_collection, import_package, review_all, review_history, snapshot
from mlanki.build import build
from mlanki.errors import MlankiError, SourceError
from mlanki.notetypes import BASIC, default_notetypes

T1, T2, T3 = 1_764_000_000, 1_764_086_400, 1_764_172_800
DECK = "Updates Fixture"

V1 = """# **Updates Fixture**
A small deck that changes between versions.

## **Topic1: Basics**

#### What is droput used for?
To prevent overfitting. Dropout randomly disables neurons during training.

***
#### Which problem does batch normalization address?
Internal covariate shift. It normalises layer inputs per mini-batch.

***
#### What does the learning rate control?
The step size of each update.

***
#### Which optimizer keeps a moving average of squared gradients?
* A) SGD
* B) RMSprop
* C) Momentum

The correct answer is B.

***
#### What is a confusion matrix?
A table of predicted against actual classes.

## **Topic2: Models**

#### What is an autoencoder?
A network trained to reconstruct its input through a bottleneck.

***
#### What does KNN stand for?
K-Nearest Neighbors.
"""

# v2: typo fix, rewording with the same answer, changed answer, changed options, one added,
# one deleted (confusion matrix), one moved to another topic (autoencoder -> Basics).
V2 = """# **Updates Fixture**
A small deck that changes between versions.

## **Topic1: Basics**

#### What is dropout used for?
To prevent overfitting. Dropout randomly disables neurons during training.

***
#### Which issue is batch normalization meant to address?
Internal covariate shift. It normalises layer inputs per mini-batch.

***
#### What does the learning rate control?
The size of the step taken at each parameter update.

***
#### Which optimizer keeps a moving average of squared gradients?
* A) SGD
* B) RMSprop
* C) Adagrad
* D) Momentum

The correct answer is B.

***
#### What is an autoencoder?
A network trained to reconstruct its input through a bottleneck.

***
#### What is early stopping?
Stopping training when validation loss stops improving.

## **Topic2: Models**

#### What does KNN stand for?
K-Nearest Neighbors.
"""

# v3: only an edit on top of v2.
V3 = V2.replace("K-Nearest Neighbors.", "K-Nearest Neighbors, a lazy learner.")


def write_source(project: Path, text: str) -> None:
    (project / "source").mkdir(exist_ok=True)
    (project / "source" / "deck.md").write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def releases(project):
    """Build v1, v2, v3 in turn (as the maintainer would) and keep a copy of each package."""
    kept = {}
    for name, text, now in (("v1", V1, T1), ("v2", V2, T2), ("v3", V3, T3)):
        write_source(project, text)
        (deck,) = build(now=now).decks
        kept[name] = project / f"{name}.apkg"
        kept[name].write_bytes(deck.package.read_bytes())
        kept[name + "-version"] = deck.version
    return kept


def by_question(seen) -> dict[str, object]:
    return {n.fields["Question"]: n for n in seen.notes if n.notetype == "mlanki Basic"}


def test_versions_follow_the_kind_of_change(releases):
    assert (releases["v1-version"], releases["v2-version"], releases["v3-version"]) == ("1.0.0", "1.1.0", "1.1.1")
    changelog = Path("build/CHANGELOG.md").read_text(encoding="utf-8")
    v2_section = changelog.split("### 1.1.0")[1].split("### 1.0.0")[0]
    assert "Added (1):\n- What is early stopping?" in v2_section
    assert "Retired (1):\n- What is a confusion matrix?" in v2_section
    changed_part = v2_section.split("Changed (4):")[1].split("Moved")[0]
    for changed in ("What is dropout used for?", "Which issue is batch normalization meant to address?",
                    "What does the learning rate control?", "Which optimizer keeps a moving average of squared gradients?"):
        assert f"- {changed}" in changed_part
    assert "Moved (1):\n- What is an autoencoder? (to Basics)" in v2_section, "a moved entry is one move, not 2 changes"


def test_v2_updates_every_card_in_place_and_keeps_review_history(releases, tmp_path):
    col = fresh_collection(tmp_path)
    import_package(col, releases["v1"])
    assert review_all(col) == 7
    history_v1 = review_history(col)
    before = snapshot(col)

    log = import_package(col, releases["v2"]).log
    after = snapshot(col)

    assert len(after.notes) == len(before.notes) + 1, "one added note, nothing duplicated"
    assert len({n.guid for n in after.notes}) == len(after.notes)
    assert review_history(col) == history_v1, "every reviewed card kept its history"
    assert {n.guid for n in before.notes} <= {n.guid for n in after.notes}
    assert len(log.new) == 1 and len(log.conflicting) == 0

    notes = by_question(after)
    old = by_question(before)
    assert notes["What is dropout used for?"].guid == old["What is droput used for?"].guid
    assert (notes["Which issue is batch normalization meant to address?"].guid
            == old["Which problem does batch normalization address?"].guid)
    assert "size of the step taken" in notes["What does the learning rate control?"].fields["Answer"]
    mc = notes["Which optimizer keeps a moving average of squared gradients?"]
    assert mc.fields["Options"].count("<li") == 4 and "Adagrad" in mc.fields["Options"]
    assert '<li class="mlanki-correct">RMSprop</li>' in mc.fields["Options"]
    moved = notes["What is an autoencoder?"]
    assert moved.guid == old["What is an autoencoder?"].guid
    assert "Basics" in moved.tags and "Models" not in moved.tags
    retired = [n for n in after.notes if "mlanki::retired" in n.tags]
    assert [n.guid for n in retired] == [old["What is a confusion matrix?"].guid]
    assert "Retired in version 1.1.0" in retired[0].fields["Status"]
    unchanged = notes["What does KNN stand for?"]
    assert unchanged.mod == old["What does KNN stand for?"].mod, "untouched notes are not bumped"
    assert [name for name in after.notetypes if name.startswith("mlanki")] == ["mlanki Basic"]
    col.close()


def test_v1_then_v3_skipping_v2(releases, tmp_path):
    col = fresh_collection(tmp_path)
    import_package(col, releases["v1"])
    review_all(col)
    history = review_history(col)
    import_package(col, releases["v3"])
    notes = by_question(snapshot(col))
    assert review_history(col) == history
    assert notes["What does KNN stand for?"].fields["Answer"] == "<p>K-Nearest Neighbors, a lazy learner.</p>"
    assert "What is dropout used for?" in notes and "What is droput used for?" not in notes
    assert len(snapshot(col).notes) == 8
    col.close()


def test_importing_the_same_package_twice_changes_nothing(releases, tmp_path):
    col = fresh_collection(tmp_path)
    import_package(col, releases["v1"])
    import_package(col, releases["v2"])
    first = snapshot(col)
    log = import_package(col, releases["v2"]).log
    assert len(log.updated) == 0 and len(log.new) == 0
    assert snapshot(col) == first
    col.close()


def test_rebuild_without_change_is_identical_and_says_so(project):
    write_source(project, V1)
    first = build(now=T1)
    data = first.decks[0].package.read_bytes()
    again = build(now=T2)
    assert again.up_to_date and "No content change" in again.summary()
    Path("build/.mlanki-cache.json").unlink()  # a rebuild that cannot take the shortcut
    third = build(now=T3)
    assert not third.decks[0].written
    assert third.decks[0].package.read_bytes() == data


def test_two_clean_builds_give_the_same_bytes(tmp_path, monkeypatch):
    digests = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        monkeypatch.chdir(folder)
        write_source(folder, V1)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T1))
        (deck,) = build().decks
        digests.append(hashlib.sha256(deck.package.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_ambiguous_edit_is_reported_not_guessed(project):
    write_source(project, "# **D**\n## **Topic1: T**\n#### What is alpha one?\nSame.\n\n#### What is alpha two?\nSame.\n")
    build(now=T1)
    write_source(project, "# **D**\n## **Topic1: T**\n#### What is alpha three?\nSame.\n")
    with pytest.raises(SourceError) as raised:
        build(now=T2)
    (diagnostic,) = raised.value.diagnostics
    assert str(diagnostic.location) == "source/deck.md:3"
    assert "cannot tell which earlier question" in diagnostic.message


def test_explicit_id_wins_over_the_question(project, tmp_path):
    write_source(project, "# **D**\n## **Topic1: T**\n#### What is X? <!-- mlanki-id: x-def -->\nA letter.\n")
    first = build(now=T1)
    write_source(project, "# **D**\n## **Topic1: T**\n#### Define the symbol Y entirely differently <!-- mlanki-id: x-def -->\nSomething else.\n")
    second = build(now=T2)
    col = fresh_collection(tmp_path)
    import_package(col, first.decks[0].package)
    import_package(col, second.decks[0].package)
    (note,) = snapshot(col).notes
    assert note.fields["Question"] == "Define the symbol Y entirely differently"
    col.close()


def test_template_change_updates_note_type_in_place(project, tmp_path):
    write_source(project, V1)
    first = build(now=T1)
    types = dict(default_notetypes())
    types[BASIC] = replace(types[BASIC], css=types[BASIC].css + "\n.mlanki { letter-spacing: 0.01em; }")
    second = build(now=T2, notetypes=types)
    assert second.decks[0].version == "1.0.1"
    col = fresh_collection(tmp_path)
    import_package(col, first.decks[0].package)
    review_all(col)
    history = review_history(col)
    import_package(col, second.decks[0].package)
    seen = snapshot(col)
    assert [n for n in seen.notetypes if n.startswith("mlanki")] == ["mlanki Basic"]
    assert "letter-spacing: 0.01em" in seen.notetypes["mlanki Basic"].css
    assert review_history(col) == history
    col.close()


def test_field_change_is_refused_unless_asked_for(project):
    write_source(project, V1)
    build(now=T1)
    types = dict(default_notetypes())
    types[BASIC] = replace(types[BASIC], fields=types[BASIC].fields + ("Hint",))
    with pytest.raises(MlankiError, match="--allow-field-change"):
        build(now=T2, notetypes=types)
    result = build(now=T2, notetypes=types, allow_field_change=True)
    assert result.decks[0].version == "2.0.0"
    assert "new fields" in Path("build/CHANGELOG.md").read_text(encoding="utf-8")


def test_version_override(project):
    write_source(project, V1)
    assert build(now=T1, version="3.1.4").decks[0].version == "3.1.4"
    assert Path("build/updates-fixture-3.1.4.apkg").is_file()


def test_guids_use_genankis_scheme():
    import genanki

    from mlanki.identity import guid_for

    for values in [("Deck", "entry", "what is x"), ("Machine Learning", "definition", "fid score", 2)]:
        assert guid_for(*values) == genanki.guid_for(*values)


def test_incremental_rebuild_reuses_unchanged_entries_and_matches_a_clean_build(tmp_path, monkeypatch):
    """After an edit, only changed chunks are parsed again, and the bytes equal a build from scratch."""
    import shutil

    import mlanki.parse

    inserted = V2.replace("## **Topic1: Basics**\n", "## **Topic1: Basics**\n\n#### What is new here?\nLines move.\n\n***\n")
    packages = []
    for name, keep_cache in (("incremental", True), ("clean", False)):
        folder = tmp_path / name
        folder.mkdir()
        monkeypatch.chdir(folder)
        write_source(folder, V1)
        build(now=T1)
        if not keep_cache:
            shutil.rmtree("build")
        write_source(folder, inserted)
        calls = []
        real_entry = mlanki.parse._DeckParser._entry
        monkeypatch.setattr(mlanki.parse._DeckParser, "_entry",
                            lambda self, section, topic: calls.append(section.line) or real_entry(self, section, topic))
        (deck,) = build(now=T2).decks
        monkeypatch.setattr(mlanki.parse._DeckParser, "_entry", real_entry)
        packages.append(deck.package.read_bytes())
        if keep_cache:
            # parsed again: the inserted entry, V2's four edits, its moved and its added entry;
            # the unchanged KNN entry (now on other lines) is reused
            assert len(calls) == 7, calls
            assert 41 not in calls  # KNN's heading line in the edited file
    assert packages[0] == packages[1]


def test_a_rewrite_with_the_same_size_and_time_is_still_seen(project):
    """The no-op shortcut compares content: an edit saved within one clock tick is not missed."""
    import os

    write_source(project, V1)
    build(now=T1)
    source = project / "source" / "deck.md"
    stamp = source.stat().st_mtime_ns
    source.write_text(V1.replace("Four", "Fuor").replace("step size", "step sizz"), encoding="utf-8")
    os.utime(source, ns=(stamp, stamp))
    result = build(now=T2)
    assert not result.up_to_date and result.decks[0].version == "1.0.1"
