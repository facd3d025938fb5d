"""``mlanki sync --collection/--profile``: the issue's scenario against a real collection file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from anki.collection import Collection

from anki_support import import_package, review_all, review_history, snapshot
from .sync_scenario import (DECK, LEARNER_NAME, PADLOCK, RENAMED_TITLE, ROUTING, UDP, V1_NOW, V2_NOW, Project,
                           add_own_notes, check_v2, own_notes, questions)


def new_collection(folder: Path) -> Path:
    """A learner's collection with a deck and note of their own."""
    folder.mkdir(parents=True)
    col = Collection(os.fspath(folder / "collection.anki2"))
    add_own_notes(col)
    col.close()
    return folder / "collection.anki2"


def state(path: Path):
    """Everything the scenario compares, read through Anki."""
    col = Collection(os.fspath(path))
    try:
        return snapshot(col), review_history(col), col.find_cards("is:suspended")
    finally:
        col.close()


def review_then(path: Path, change=None) -> tuple[dict[str, str], dict[str, int], tuple]:
    """Answer every card once (a learner studied v1), let ``change`` act as the learner; what v1 gave."""
    col = Collection(os.fspath(path))
    try:
        review_all(col)
        if change:
            change(col)
        return questions(col), review_history(col), own_notes(col)
    finally:
        col.close()


def learner_renames_deck(col) -> None:
    col.decks.rename(col.decks.id_for_name(DECK), LEARNER_NAME)


def sync_v2_and_check(project: Project, path: Path, v1, history, own, deck: str) -> None:
    """v2 under the title ``deck``: dry run, sync, a sync with nothing to do, --delete-retired."""
    project.write("v2", deck)
    before = state(path)
    dry = project.mlanki("sync", "--collection", str(path), "--dry-run", now=V2_NOW)
    assert dry.exit_code == 0, dry.output
    assert f"{deck}: 1 added, 5 updated, 4 moved, 1 renamed, 1 retired, 0 deleted" in dry.stdout
    assert f"added: {PADLOCK}" in dry.stdout
    assert state(path) == before, "--dry-run changed the collection"

    real = project.mlanki("sync", "--collection", str(path), now=V2_NOW)
    assert real.exit_code == 0, real.output
    assert "1 added, 5 updated" in real.stdout and f"added: {PADLOCK}" not in real.stdout
    assert list((path.parent / "backups").glob("*.colpkg")), "no backup before the change"
    col = Collection(os.fspath(path))
    try:
        check_v2(col, v1, history, own, deck)
    finally:
        col.close()

    again = project.mlanki("sync", "--collection", str(path), now=V2_NOW)
    assert "(nothing to change)" in again.stdout
    deleting = project.mlanki("sync", "--collection", str(path), "--delete-retired", now=V2_NOW)
    assert "1 deleted" in deleting.stdout
    col = Collection(os.fspath(path))
    try:
        check_v2(col, v1, history, own, deck, deleted=True)
    finally:
        col.close()


def test_sync_applies_what_import_cannot(tmp_path):
    project, path = Project(tmp_path / "project"), new_collection(tmp_path / "anki")
    project.write("v1")
    first = project.mlanki("sync", "--collection", str(path), now=V1_NOW)
    assert first.exit_code == 0, first.output
    assert f"{DECK}: 6 added, 0 updated" in first.stdout
    v1, history, own = review_then(path)
    assert len(v1) == 5 and len(history) == 7
    sync_v2_and_check(project, path, v1, history, own, deck=RENAMED_TITLE)


def test_sync_takes_over_a_deck_the_learner_imported_by_hand(tmp_path):
    project, path = Project(tmp_path / "project"), new_collection(tmp_path / "anki")
    project.write("v1")
    assert project.mlanki("build", now=V1_NOW).exit_code == 0
    col = Collection(os.fspath(path))
    import_package(col, project.package)
    col.close()
    v1, history, own = review_then(path)
    sync_v2_and_check(project, path, v1, history, own, deck=RENAMED_TITLE)


def test_sync_gives_a_deck_the_learner_renamed_its_title_back(tmp_path):
    project, path = Project(tmp_path / "project"), new_collection(tmp_path / "anki")
    project.write("v1")
    assert project.mlanki("sync", "--collection", str(path), now=V1_NOW).exit_code == 0
    v1, history, own = review_then(path, learner_renames_deck)
    assert LEARNER_NAME in state(path)[0].decks
    sync_v2_and_check(project, path, v1, history, own, deck=DECK)


def test_a_collection_open_in_anki_gets_one_line(tmp_path):
    project, path = Project(tmp_path / "project"), new_collection(tmp_path / "anki")
    project.write("v1")
    col = Collection(os.fspath(path))  # holds the lock, as a running Anki does
    try:
        result = subprocess.run([sys.executable, "-m", "mlanki", "sync", str(project.source), "-o",
                                 str(project.root / "build"), "--collection", str(path)],
                                capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": str(V1_NOW)})
    finally:
        col.close()
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{path}: the collection is open in Anki (or syncing media); close Anki first, or sync with --anki-connect"]
    assert state(path)[0].card_count == 1, "the locked collection was changed"


def test_profile_finds_the_collection_in_ankis_folder(tmp_path, monkeypatch):
    base = tmp_path / "Anki2"
    path = new_collection(base / "User 1")
    monkeypatch.setenv("ANKI_BASE", str(base))
    project = Project(tmp_path / "project")
    project.write("v1")
    result = project.mlanki("sync", "--profile", "user 1", now=V1_NOW)
    assert result.exit_code == 0, result.output
    assert f"Synced {path}" in result.stdout
    assert len(questions_in(path)) == 5
    missing = project.mlanki("sync", "--profile", "Nobody", now=V1_NOW)
    assert missing.exit_code == 1
    assert missing.stderr.strip() == f"no Anki profile 'Nobody' in {base} (profiles there: User 1)"


def test_exactly_one_target(tmp_path):
    project = Project(tmp_path / "project")
    project.write("v1")
    for args in ((), ("--profile", "a", "--anki-connect")):
        result = project.mlanki("sync", *args, now=V1_NOW)
        assert result.exit_code == 1
        assert "sync needs exactly one target" in result.stderr


def questions_in(path: Path) -> dict[str, str]:
    col = Collection(os.fspath(path))
    try:
        return questions(col)
    finally:
        col.close()


def test_retired_note_in_the_package_is_never_added(tmp_path):
    """A learner who never had an entry does not get its retired card."""
    project, path = Project(tmp_path / "project"), new_collection(tmp_path / "anki")
    project.write("v1")
    assert project.mlanki("build", now=V1_NOW).exit_code == 0
    project.write("v2")
    assert project.mlanki("sync", "--collection", str(path), now=V2_NOW).exit_code == 0
    assert UDP not in questions_in(path) and len(questions_in(path)) == 5


def test_sync_restores_a_learners_edit_and_updates_the_note_types_look(tmp_path, monkeypatch):
    """What an import skips (a note edited later than the package) or does only "if newer"."""
    from dataclasses import replace

    from mlanki.notetypes import default_notetypes
    from mlanki.sync import sync

    project, path = Project(tmp_path / "project"), new_collection(tmp_path / "anki")
    project.write("v1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(V1_NOW))
    sync(project.source, project.root / "build", collection=path)
    col = Collection(os.fspath(path))
    ids = {nt.name: nt.id for nt in col.models.all_names_and_ids()}
    note = col.get_note(col.find_notes(f'"Question:{ROUTING}"')[0])
    note["Answer"] = "my own words"
    col.update_note(note)
    col.close()

    restyled = {kind: replace(nt, css=nt.css + "\n.card { letter-spacing: 0.01em; }")
                for kind, nt in default_notetypes().items()}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(V2_NOW))
    result = sync(project.source, project.root / "build", collection=path, notetypes=restyled)
    assert [nt.name for nt in result.plans[0].notetypes] == ["mlanki Basic", "mlanki Cloze"]
    assert "1 updated" in result.describe()
    col = Collection(os.fspath(path))
    try:
        view = snapshot(col)
        assert "The network layer." in view.note(note.guid).fields["Answer"]
        for name in ("mlanki Basic", "mlanki Cloze"):
            assert view.notetypes[name].css.endswith("letter-spacing: 0.01em; }")
            assert view.notetypes[name].id == ids[name]
        assert sorted(n for n in view.notetypes if n.startswith("mlanki")) == ["mlanki Basic", "mlanki Cloze"]
    finally:
        col.close()


def test_collection_mode_without_the_anki_package_says_how_to_get_it(tmp_path):
    project, path = Project(tmp_path / "project"), new_collection(tmp_path / "anki")
    project.write("v1")
    hide_anki = ("import sys; sys.modules['anki'] = None; from mlanki.cli import main; "
                 "sys.argv = ['mlanki'] + sys.argv[1:]; main()")
    result = subprocess.run([sys.executable, "-c", hide_anki, "sync", str(project.source), "-o",
                             str(project.root / "build"), "--collection", str(path)],
                            capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": str(V1_NOW)})
    assert result.returncode == 1
    assert result.stderr.strip() == "sync --collection/--profile needs the anki package: pip install 'mlanki[sync]'"


def test_a_subdeck_holding_the_learners_own_card_is_kept(tmp_path):
    project, path = Project(tmp_path / "project"), new_collection(tmp_path / "anki")
    project.write("v1")
    assert project.mlanki("sync", "--collection", str(path), now=V1_NOW).exit_code == 0
    col = Collection(os.fspath(path))
    mine = col.new_note(col.models.by_name("Basic"))
    mine["Front"], mine["Back"] = "my own question", "my own answer"
    col.add_note(mine, col.decks.id_for_name(f"{DECK}::Protocols"))
    added_mod = col.get_note(mine.id).mod
    col.close()
    project.write("v2", RENAMED_TITLE)
    assert project.mlanki("sync", "--collection", str(path), "--delete-retired", now=V2_NOW).exit_code == 0
    view = state(path)[0]
    kept = view.note(mine.guid)
    assert kept.fields == {"Front": "my own question", "Back": "my own answer"} and kept.mod == added_mod
    assert kept.decks == (f"{RENAMED_TITLE}::Protocols",)  # the renamed deck took its subdeck along
    assert not [n for n in view.notes if n.notetype.startswith("mlanki") and "Protocols" in n.decks[0]]
