"""The bundled source, built and imported by the real Anki engine: what a learner gets."""

from __future__ import annotations

import re

import pytest

from anki_support import fresh_collection, import_package, rendered, snapshot
from conftest import FIXED_NOW
from mlanki.build import build

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
        "For a binary classification problem, which activation funct…"]


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
