"""Accidents a maintainer has over months, each followed by a learner's import in real Anki.

For each: release v1, a learner imports it and reviews every card, the accident happens, the
maintainer builds, the learner imports: no duplicate, no lost review history, the edit visible
(or a refusal that says what to do).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from identity_support import DECK_V1, Learner, Project, copy_project
from mlanki.errors import MlankiError, SourceError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return Project(folder)


@pytest.fixture
def learner(tmp_path):
    learner = Learner(tmp_path)
    yield learner
    learner.close()


def test_renamed_title_keeps_every_card_and_says_so(project, learner):
    learner.study(project.release())
    before = learner.notes()
    project.edit("# **Identity Fixture**", "# **Identity Fixture, Second Edition**")
    project.edit("K-Nearest Neighbors.", "K-Nearest Neighbors, a lazy learner.")
    (deck,) = project.build().decks
    assert deck.version == "1.0.1"
    log = learner.study(deck.package)
    assert len(log.new) == 0 and len(log.updated) == 1, "nothing duplicated, the edit arrives"
    after = learner.notes()
    assert {k: n.guid for k, n in after.items()} == {k: n.guid for k, n in before.items()}
    assert "a lazy learner" in after["What does KNN stand for?"].fields["Answer"]
    changelog = (project.folder / "build" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Identity Fixture, Second Edition" in changelog
    assert "Deck renamed from 'Identity Fixture' to 'Identity Fixture, Second Edition'" in changelog


def test_lost_record_is_recovered_from_the_released_package(project, learner):
    first = project.release()
    released = first.read_bytes()
    learner.study(first)
    project.record.unlink()
    project.edit("What is dropout used for?", "What is dropout for?")  # reworded while the record was lost
    result = project.build()
    (deck,) = result.decks
    assert any("there was no record" in n and "recovered 5 note identities and version 1.0.0" in n
               for n in result.notices), result.notices
    assert deck.version == "1.0.1", "versions continue, they never restart at 1.0.0"
    assert first.read_bytes() == released, "the released 1.0.0 package keeps its bytes"
    log = learner.study(deck.package)
    assert len(log.new) == 0 and len(log.updated) == 1
    assert "What is dropout for?" in learner.notes()


def test_record_that_lost_lines_is_completed_from_the_package(project, learner):
    learner.study(project.release())
    lines = project.record.read_text(encoding="utf-8").splitlines()
    notes = [i for i, line in enumerate(lines) if '"guid"' in line]
    del lines[notes[1]]  # a bad merge dropped a line (the JSON stays valid: it was not the last)
    project.record.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project.edit("The step size of each update.", "The size of each step.")
    result = project.build()
    assert any("the record lacked notes; recovered 1 note identities" in n for n in result.notices), result.notices
    log = learner.study(result.decks[0].package)
    assert len(log.new) == 0


def test_first_build_without_record_or_package_says_it_starts_anew(project):
    result = project.build()
    assert any("starting a new identity" in n for n in result.notices)
    assert "starting a new identity" in result.summary()


def test_versions_only_move_forward(project):
    project.release()
    project.edit("K-Nearest Neighbors.", "K-Nearest Neighbors (KNN).")
    assert project.build(version="2.0.0").decks[0].version == "2.0.0"
    project.edit("K-Nearest Neighbors (KNN).", "K-Nearest Neighbors, again.")
    with pytest.raises(MlankiError, match=r"--release 1\.0\.0 is not newer than the released versions "
                                          r"\(1\.0\.0, 2\.0\.0\); versions only move forward"):
        project.build(version="1.0.0")
    with pytest.raises(MlankiError, match="not newer"):
        project.build(version="2.0.0")  # 2.0.0 is out: other bytes under that number would be a lie
    assert project.build(version="2.1.0").decks[0].version == "2.1.0"
    changelog = (project.folder / "build" / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^### (\S+)", changelog, re.MULTILINE)
    assert versions == ["2.1.0", "2.0.0", "1.0.0"], "each version once, newest first"


def test_the_same_version_again_is_accepted_when_nothing_changed(project):
    """A release job rebuilds the version the maintainer already built and committed."""
    first = project.build(version="1.2.0").decks[0].package.read_bytes()
    (again,) = project.build(version="1.2.0").decks
    assert again.version == "1.2.0" and again.package.read_bytes() == first


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u200e", "\u2066", "\ufeff", "\u034f", "\u2060"])
def test_a_question_copied_with_an_invisible_character_is_a_duplicate(project, invisible):
    project.edit("## **Topic2: Models**", "## **Topic2: Models**\n\n#### What does K" + invisible
                 + "NN stand for?\nSomething else.\n\n***")
    with pytest.raises(SourceError) as raised:
        project.build()
    (problem,) = raised.value.diagnostics
    assert problem.code == "duplicate"
    assert re.search(r"duplicate question \(also at .*deck\.md:\d+\)", problem.message)


def test_a_lookalike_letter_is_a_duplicate_and_check_names_it(project):
    from mlanki.build import check_sources

    copied = "What does KNN stand f\u043er?"  # a Cyrillic о
    project.edit("## **Topic2: Models**", f"## **Topic2: Models**\n\n#### {copied}\nOther.\n\n***")
    found = check_sources(project.folder / "source")
    codes = {d.code for d in found}
    assert "duplicate" in codes and "lookalike" in codes
    (lookalike,) = [d for d in found if d.code == "lookalike"]
    assert "'f\u043er' mixes CYRILLIC and LATIN letters" in lookalike.message


def test_a_damaged_record_is_diagnosed_with_its_line(project):
    project.release()
    text = project.record.read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"guid"' in row)
    damaged = text.splitlines()
    damaged[line - 1] = damaged[line - 1].replace('"mod": ', '"mod": "soon", "was": ', 1)
    project.record.write_text("\n".join(damaged) + "\n", encoding="utf-8")
    with pytest.raises(MlankiError) as raised:
        project.build()
    assert re.match(rf".*mlanki\.lock:{line}: note .+: \"mod\" is \"soon\", expected a whole number of seconds; "
                    r"restore it from version control", str(raised.value.message)), raised.value.message


@pytest.mark.parametrize("damage, message", [
    (lambda t: t.replace('"format": 2,\n', ""), r"mlanki\.lock:1: the record file has no \"format\""),
    (lambda t: t.replace('"format": 2', '"format": 7'), r"mlanki\.lock:2: record format 7 is from a newer mlanki"),
    (lambda t: t.replace('"format": 2', '"format": "two"'), r"mlanki\.lock:2: record format 'two' is unknown"),
    (lambda t: t[: len(t) // 2], r"mlanki\.lock:\d+: the record file is not valid JSON"),
    (lambda t: t.replace('"version": "1.0.0"', '"version": "one"', 1), r"expected a version like 1\.2\.3"),
])
def test_record_damage_is_an_error_that_says_what_to_do(project, damage, message):
    project.release()
    project.record.write_text(damage(project.record.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(MlankiError, match=message):
        project.build()


def test_a_duplicated_record_line_is_repaired_and_announced(project):
    project.release()
    lines = project.record.read_text(encoding="utf-8").splitlines()
    first_note = next(i for i, row in enumerate(lines) if '"guid"' in row)
    lines.insert(first_note, lines[first_note])
    project.record.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = project.build()
    assert any("was in the record twice; kept the identical copy" in n for n in result.notices)
    assert project.record.read_text(encoding="utf-8").count('"guid"') == 5, "the build wrote a clean record"


def test_lone_section_title_and_subfolder_builds_keep_one_identity(project, learner):
    project.file.unlink()
    sub = project.folder / "source" / "extra"
    sub.mkdir()
    only = sub / "quiz.md"
    only.write_text("## **Quiz**\n\n#### What is a tensor?\nA multi-dimensional array.\n\n"
                    "#### What is a scalar?\nA single number.\n", encoding="utf-8")
    learner.study(project.release())
    before = learner.notes()
    # a second ## heading: the deck's name changes (the lone ## no longer names it), its cards do not
    only.write_text(only.read_text(encoding="utf-8") + "\n## **More**\n\n#### What is a vector?\nA list of numbers.\n",
                    encoding="utf-8")
    (deck,) = project.build(source=only).decks  # one file of a subfolder: the project's record
    assert deck.previous == "1.0.0" and deck.version == "1.1.0"
    assert not (sub / "mlanki.lock").exists()
    learner.study(deck.package)
    after = learner.notes()
    assert all(after[q].guid == n.guid for q, n in before.items())


def test_moved_source_file_is_recognised_as_the_same_deck(project, learner):
    learner.study(project.release())
    before = learner.notes()
    (project.folder / "source" / "decks").mkdir()
    project.file.rename(project.folder / "source" / "decks" / "renamed.md")
    result = project.build()
    assert any("recognised as deck.md, moved or renamed (100% of its entries match" in n for n in result.notices)
    (deck,) = result.decks
    assert deck.previous == "1.0.0"
    learner.study(deck.package)
    assert {q: n.guid for q, n in learner.notes().items()} == {q: n.guid for q, n in before.items()}


def test_explicit_deck_id_in_front_matter_is_the_deck_identity(project, learner):
    project.edit("# **Identity Fixture**", "---\nmlanki:\n  deck_id: ml-basics\n---\n# **Identity Fixture**")
    learner.study(project.release())
    before = learner.notes()
    project.file.rename(project.folder / "source" / "elsewhere.md")
    (deck,) = project.build().decks
    assert deck.previous == "1.0.0"
    learner.study(deck.package)
    assert {q: n.guid for q, n in learner.notes().items()} == {q: n.guid for q, n in before.items()}


@pytest.mark.parametrize("driver", ["conflict markers", "union"])
def test_merged_branches_keep_every_note(tmp_path, learner, monkeypatch, driver):
    """Two branches each add and edit different entries and build; git conflicts on the record (or,
    with the README's .gitattributes line, keeps both sides' lines); the merge builds with every note
    kept, and learners of either branch get no duplicate."""
    git = _git(tmp_path / "repo")
    project = Project(tmp_path / "repo")
    monkeypatch.chdir(project.folder)
    if driver == "union":
        (project.folder / ".gitattributes").write_text("source/mlanki.lock merge=union\n", encoding="utf-8")
    project.release()
    git("add", "-A")
    git("commit", "-qm", "v1")
    git("checkout", "-qb", "left")
    for old, new in LEFT_EDITS:
        project.edit(old, new)
    left = project.release()
    git("commit", "-qam", "left")
    git("checkout", "-q", "main")
    for old, new in RIGHT_EDITS:
        project.edit(old, new)
    right = project.release()
    git("commit", "-qam", "right")
    merged = subprocess.run(["git", "merge", "-q", "left"], cwd=project.folder, capture_output=True, text=True)
    if driver == "union":
        assert "<<<<<<<" not in project.record.read_text(encoding="utf-8")
    else:
        assert merged.returncode != 0 and "mlanki.lock" in merged.stdout + merged.stderr
        assert "<<<<<<<" in project.record.read_text(encoding="utf-8")
    _merge_markdown(project)

    learner.study(left)
    result = project.build()
    expected = "git conflict markers" if driver != "union" else "git's union merge"
    assert any(expected in n for n in result.notices), result.notices
    assert "<<<<<<<" not in project.record.read_text(encoding="utf-8")
    (deck,) = result.decks
    log = learner.study(deck.package)
    assert len(log.new) == 1, "only the other branch's new question is new"
    notes = learner.notes()
    assert "What is momentum?" in notes and "What is a decision tree?" in notes
    assert "mostly" in notes["Which problem does batch normalization address?"].fields["Answer"]
    assert "neural network" in notes["What is an autoencoder?"].fields["Answer"]
    (tmp_path / "other").mkdir()
    other = Learner(tmp_path / "other")
    other.study(right)
    other.study(deck.package)
    other.close()


LEFT_EDITS = [("The step size of each update.", "The step size of each update.\n\n***\n#### What is momentum?\n"
               "A running average of gradients."), ("Internal covariate shift.", "Internal covariate shift, mostly.")]
RIGHT_EDITS = [("K-Nearest Neighbors.", "K-Nearest Neighbors.\n\n***\n#### What is a decision tree?\n"
                "A model of nested if-then splits."),
               ("A network trained to reconstruct", "A neural network trained to reconstruct")]


def _merge_markdown(project: Project) -> None:
    """Both branches' Markdown edits, as git would merge them (they touch different lines)."""
    text = project.file.read_text(encoding="utf-8")
    for old, new in LEFT_EDITS + RIGHT_EDITS:
        if new not in text:
            text = text.replace(old, new)
    project.file.write_text(text, encoding="utf-8")


def _git(folder: Path):
    folder.mkdir(parents=True)

    def git(*args):
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@t"})
    git("init", "-q", "-b", "main")
    return git


def _cli_build(cwd: Path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
    return subprocess.run([sys.executable, "-m", "mlanki", "build", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)


def test_same_bytes_from_any_folder_absolute_paths_and_symlinks(tmp_path):
    base = Project(tmp_path / "a")
    assert _cli_build(base.folder).returncode == 0
    reference = (base.folder / "build" / "identity-fixture.apkg").read_bytes()
    record = base.record.read_bytes()
    for name in ("from-elsewhere", "absolute", "symlinked"):
        copy = tmp_path / name
        copy_project(base.folder, copy)
        for built in (copy / "build").iterdir():
            built.unlink()
        if name == "from-elsewhere":
            run = _cli_build(tmp_path, str(Path(name) / "source"), "-o", str(Path(name) / "build"))
        elif name == "absolute":
            run = _cli_build(Path("/"), str(copy / "source"), "-o", str(copy / "build"))
        else:
            link = tmp_path / "link"
            link.symlink_to(copy, target_is_directory=True)
            run = _cli_build(link)
        assert run.returncode == 0, run.stderr
        assert (copy / "build" / "identity-fixture.apkg").read_bytes() == reference, name
        assert (copy / "source" / "mlanki.lock").read_bytes() == record, name


def test_source_field_is_relative_to_the_project_and_can_link_upstream(project, learner):
    (project.folder / "setup.cfg").write_text(
        "[mlanki]\nsource_url = https://example.org/deck/blob/v{version}/{path}#L{line}\n", encoding="utf-8")
    from mlanki.settings import load_settings

    from mlanki.build import build

    result = build(settings=load_settings(project.folder, source=project.folder / "source",
                                          output=project.folder / "build"), now=project.now)
    learner.study(result.decks[0].package)
    source = learner.notes()["What does KNN stand for?"].fields["Source"]
    assert source == '<a href="https://example.org/deck/blob/v1.0.0/source/deck.md#L23">source/deck.md:23</a>'
    assert str(project.folder) not in source


def test_splitting_an_entry_stops_and_the_advice_works_as_written(project):
    project.release()
    project.edit("#### What does the learning rate control?\nThe step size of each update.",
                 "#### What does the learning rate control in SGD?\nThe step size of each update.\n\n***\n"
                 "#### What does the learning rate control in Adam?\nThe step size of each update.")
    with pytest.raises(SourceError) as raised:
        project.build()
    problems = raised.value.diagnostics
    assert {d.code for d in problems} == {"ambiguous-identity"}
    assert "an entry with a new id is a new note" in problems[0].hint
    # as the hint says: a new id on the new part
    project.edit("#### What does the learning rate control in Adam?",
                 "#### What does the learning rate control in Adam? <!-- mlanki-id: lr-adam -->")
    (deck,) = project.build().decks
    assert deck.version == "1.1.0" and deck.added == 1 and deck.changed == 1


def test_retired_card_says_what_to_do(project, learner):
    learner.study(project.release())
    project.edit("***\n#### What does the learning rate control?\nThe step size of each update.\n", "")
    (deck,) = project.build().decks
    learner.study(deck.package)
    retired = [n for n in learner.notes().values() if "mlanki::retired" in n.tags]
    assert len(retired) == 1
    assert "Retired in version 1.1.0" in retired[0].fields["Status"]
    assert "search tag:mlanki::retired" in retired[0].fields["Status"]


def test_adopting_a_deck_made_by_a_plain_genanki_script(tmp_path, project, learner):
    """The maintainer moves a deck from a 20-line genanki script to mlanki: learners' reviewed cards
    are updated in place (their note type is kept), nothing is duplicated, new entries are added."""
    import genanki

    model = genanki.Model(1607392319, "Simple Model", fields=[{"name": "Question"}, {"name": "Answer"}],
                          templates=[{"name": "Card 1", "qfmt": "{{Question}}",
                                      "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}'}])
    old_deck = genanki.Deck(2059400110, "Identity Fixture")
    for question, answer in (("What is dropout used for?", "Against overfitting."),
                             ("What does KNN stand for?", "K nearest neighbours."),
                             ("What is an autoencoder?", "A reconstructing network.")):
        old_deck.add_note(genanki.Note(model=model, fields=[question, answer], guid=genanki.guid_for(question)))
    old = tmp_path / "script-deck.apkg"
    genanki.Package(old_deck).write_to_file(old)
    learner.study(old)
    reviewed = learner.history

    result = project.build(previous=old)
    assert any("took 3 note identities" in n and "a package made by another tool" in n for n in result.notices)
    log = learner.study(result.decks[0].package)
    assert len(log.updated) == 3 and len(log.conflicting) == 0, "the learner's cards are updated in place"
    assert len(log.new) == 2, "entries the script never had are added"
    notes = learner.notes()
    assert "K-Nearest Neighbors." in notes["What does KNN stand for?"].fields["Answer"]
    assert len(reviewed) == 3 and set(reviewed) <= set(learner.history), "the reviewed cards kept their history"
    (again,) = project.build().decks
    assert not again.written, "a rebuild changes nothing"
