"""The bundled source, built and imported by the real Anki engine: what a learner gets.

The first tests check the live ``source/`` by properties only (it builds, Anki imports it, every
entry becomes a note in its topic's subdeck, the conventions it uses are recognised), so a
maintainer who edits ``source/`` breaks none of them. The exact-content tests below them use the
frozen copy in ``tests/fixtures/`` (the ``project`` fixture).
"""

from __future__ import annotations

import re
import shutil

import pytest

from anki_support import fresh_collection, import_package, rendered, snapshot
from conftest import FIXED_NOW, LIVE_SOURCE
from mlanki.build import build
from mlanki.entries import Deck

# -- the live source/, by properties -------------------------------------------------------------------
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def question_heading_lines(text: str) -> set[int]:
    """Lines of headings below a topic (## outside a Contact section) that have a body: the entries.

    Written from the README's description of the Micro-Learning convention, independently of the parser.
    """
    lines = text.split("\n")
    found, topic, fence = set(), None, False
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fence = not fence
        m = None if fence else _HEADING.match(line)
        if not m:
            continue
        level = len(m.group(1))
        if level <= 2:
            topic = None if level == 1 or "contact" in m.group(2).lower() else m.group(2)
            continue
        if topic is None:
            continue
        body = [line for line in body_of(lines, number) if line.strip() not in ("", "***", "---", "* * *")]
        if body:
            found.add(number)
    return found


def body_of(lines: list[str], heading_line: int) -> list[str]:
    """The source lines after a heading (1-based line number) up to the next heading."""
    body = []
    for later in lines[heading_line:]:
        if _HEADING.match(later):
            break
        body.append(later)
    return body


@pytest.fixture
def live(tmp_path, monkeypatch):
    """A copy of the repository's source/ folder as it is now (with its record), as the working folder."""
    shutil.copytree(LIVE_SOURCE, tmp_path / "source")
    monkeypatch.chdir(tmp_path)
    result = build(now=FIXED_NOW)
    from mlanki.api import parse_all

    return result, parse_all("source")


def test_live_source_builds_without_errors(live):
    result, decks = live
    assert result.decks and not any(d.is_error for d in result.diagnostics)
    for deck in result.decks:
        assert deck.package.is_file() and deck.latest.read_bytes() == deck.package.read_bytes()
    assert sum(len(d.entries) for d in decks) > 0


def test_every_question_heading_of_the_live_source_is_an_entry_or_reported(live):
    """A question heading with a body gives an entry; one that cannot (no answer) is reported at its line."""
    _result, decks = live
    for deck in decks:
        path = LIVE_SOURCE / deck.location.file.split("/", 1)[1]
        expected = question_heading_lines(path.read_text(encoding="utf-8"))
        entries = {e.location.line for e in deck.entries}
        reported = {d.location.line for d in deck.diagnostics}
        assert entries <= expected
        assert expected - entries <= reported, "a question that gives no card is never silent"


def notes_expected(deck: Deck) -> tuple[int, int]:
    basic = sum(1 for e in deck.entries if not e.cloze)
    cloze = sum(1 for e in deck.entries if e.cloze) + sum(1 for e in deck.entries if e.definition)
    return basic, cloze


def test_anki_imports_every_entry_of_the_live_source_into_its_topic(live, tmp_path):
    result, decks = live
    for deck_result, deck in zip(result.decks, decks):
        col = fresh_collection(tmp_path)
        try:
            import_package(col, deck_result.latest)
            seen = snapshot(col)
            kinds = [n.notetype for n in seen.notes]
            assert (kinds.count("mlanki Basic"), kinds.count("mlanki Cloze")) == notes_expected(deck)
            assert all(n.card_count >= 1 for n in seen.notes)
            questions = {n.fields["Question"] for n in seen.notes if n.notetype == "mlanki Basic"}
            assert questions == {e.question for e in deck.entries if not e.cloze}
            for note in seen.notes:
                (subdeck,) = note.decks
                assert subdeck == f"{deck.name}::{note.fields['Topic']}"
            assert {f"{deck.name}::{t}" for t in deck.topics} <= set(seen.decks)
        finally:
            col.close()


def test_multiple_choice_and_definitions_of_the_live_source_are_recognised(live, tmp_path):
    result, decks = live
    for deck_result, deck in zip(result.decks, decks):
        text = (LIVE_SOURCE / deck.location.file.split("/", 1)[1]).read_text(encoding="utf-8").split("\n")
        col = fresh_collection(tmp_path)
        try:
            import_package(col, deck_result.latest)
            notes = snapshot(col).notes
            for entry in deck.entries:
                states_answer = any("correct answer is" in line.lower() for line in body_of(text, entry.location.line))
                if entry.options:
                    assert len(entry.options) >= 2
                    if states_answer:
                        assert entry.correct is not None, f"{entry.location}: stated answer not found"
                        (note,) = [n for n in notes if n.fields.get("Question") == entry.question]
                        ((_front, back),) = rendered(col, note.id)
                        assert back.count('class="mlanki-correct"') == 1
            clozes = [n.fields["Text"] for n in notes if n.notetype == "mlanki Cloze"]
            for entry in deck.entries:
                if entry.definition:
                    assert entry.definition in clozes and entry.definition.startswith("{{c1::")
        finally:
            col.close()


# -- the frozen fixture, exactly ------------------------------------------------------------------------
DECK = "Machine Learning Micro-Learning"
TOPICS = ("General Machine Learning", "Deep Learning", "Generative Models")


@pytest.fixture
def imported(project, tmp_path):
    result = build(now=FIXED_NOW)
    col = fresh_collection(tmp_path)
    import_package(col, result.decks[0].latest)
    yield col, result
    col.close()


def test_build_writes_versioned_and_latest_package(project):
    result = build(now=FIXED_NOW)
    (deck,) = result.decks
    assert deck.name == DECK and deck.version == "1.0.0"
    assert deck.package.resolve() == project / "build" / "machine-learning-micro-learning-1.0.0.apkg"
    assert deck.latest.read_bytes() == deck.package.read_bytes()
    assert [str(d) for d in result.diagnostics] == [
        "source/ml-micro-learning.md:79: warning: multiple-choice question has options but no answer: "
        "For a binary classification problem, which activation…"]


def test_anki_sees_19_basic_notes_2_definition_clozes_and_3_subdecks(imported):
    col, _result = imported
    seen = snapshot(col)
    kinds = [n.notetype for n in seen.notes]
    assert kinds.count("mlanki Basic") == 19
    assert kinds.count("mlanki Cloze") == 2
    assert {f"{DECK}::{t}" for t in TOPICS} | {DECK} <= set(seen.decks)
    assert seen.card_count == 21
    assert all(n.card_count == 1 for n in seen.notes)
    assert seen.notetypes["mlanki Basic"].fields == (
        "Question", "Options", "Answer", "Explanation", "Topic", "Source", "Status")
    assert seen.notetypes["mlanki Cloze"].fields == ("Text", "Extra", "Topic", "Source", "Status")


def test_notes_land_in_their_topic_subdeck_with_topic_tag(imported):
    col, _result = imported
    seen = snapshot(col)
    per_deck = {}
    for note in seen.notes:
        (deck,) = note.decks
        per_deck[deck] = per_deck.get(deck, 0) + 1
        topic = deck.split("::")[1]
        assert topic.replace(" ", "_") in note.tags
        assert note.fields["Topic"] == topic
    assert per_deck == {f"{DECK}::General Machine Learning": 7, f"{DECK}::Deep Learning": 11,
                        f"{DECK}::Generative Models": 3}


def test_multiple_choice_cards_show_options_and_mark_the_correct_one(imported):
    col, _result = imported
    mc = [n for n in snapshot(col).notes if "mlanki::multiple-choice" in n.tags]
    assert len(mc) == 4
    expected = {
        "What is a drawback of the K-Nearest Neighbors (KNN) algorithm?": "KNN is sensitive to irrelevant features.",
        "For neural networks dealing with binary classification tasks": "Sigmoid",
        "In machine learning, what does the bias-variance tradeoff refer to?":
            "Bias-variance tradeoff represents the tradeoff between underfitting and overfitting.",
        "For a neural network training process": "RMSprop",
    }
    for note in mc:
        ((question, answer),) = rendered(col, note.id)
        (correct,) = [v for k, v in expected.items() if note.fields["Question"].startswith(k)]
        assert question.count("<li") == 4, "the front lists the four options"
        assert re.search(r'<li class="mlanki-correct">\s*' + re.escape(correct), answer)
        assert "mlanki-back" in answer and "mlanki-back" not in question
        assert re.sub(r"<[^>]+>", "", note.fields["Answer"]).endswith(correct)


def test_cards_keep_the_source_line_structure(imported):
    col, _result = imported
    (knn,) = [n for n in snapshot(col).notes if n.fields.get("Question", "").startswith("How does KNN work")]
    ((_q, answer),) = rendered(col, knn.id)
    assert answer.count("<br>") + answer.count("<p") == 12  # each of its 12 source lines starts a paragraph or a line
    assert '<p class="mlanki-label">For Low Values of' in answer  # a label line heads the lines below it


def test_definition_clozes_for_batch_norm_and_fid(imported):
    col, _result = imported
    clozes = [n for n in snapshot(col).notes if n.notetype == "mlanki Cloze"]
    texts = sorted(n.fields["Text"] for n in clozes)
    assert texts[0].startswith("{{c1::Batch Normalization}} (BatchNorm) is a technique")
    assert texts[1].startswith("{{c1::FID}} (Fréchet Inception Distance) is a metric")
    for note, term in zip(sorted(clozes, key=lambda n: n.fields["Text"]), ("Batch Normalization", "FID")):
        ((question, answer),) = rendered(col, note.id)
        assert "[...]" in question and term not in re.sub(r"<[^>]+>", "", question)
        assert re.search(r'<span class="cloze"[^>]*>' + re.escape(term), answer)


def test_no_card_for_placeholders_or_contact(imported):
    col, _result = imported
    questions = " ".join(n.fields.get("Question", n.fields.get("Text", "")) for n in snapshot(col).notes)
    for absent in ("Test 1", "Test 4", "Test 5", "Contact", "umass"):
        assert absent not in questions
