"""Identity's rules, one at a time, on plain data (fast; they pin what the mutation run checks).

Each test names the rule it pins: the exact-question path, explicit-id ownership, the word-overlap
score, the choice between two strong candidates, GUID and note-id collisions, release history of
several decks, forward-compatible record keys, and the record file's validation and merges.
"""

from __future__ import annotations

import json
import re

import pytest

from mlanki import matching
from mlanki.errors import MlankiError
from mlanki.identity import FIRST_VERSION, NOTE_ID_STRIDE, guid_for, next_version, note_id_for, plan_deck
from mlanki.mapping import notes_for, normalise_question
from mlanki.notetypes import default_notetypes
from mlanki.parse import parse_text
from mlanki.record import Record, RecordedNote
from pathlib import Path

from mlanki.record_file import merge, read_record, semver_key, split_conflict

NOW = 1_764_000_000
NT = default_notetypes()


def specs_of(*entries: tuple[str, str], explicit: dict[str, str] | None = None):
    """Note specs of a one-topic deck with these (question, answer) entries."""
    explicit = explicit or {}
    body = "\n\n".join(f"#### {q}" + (f" <!-- mlanki-id: {explicit[q]} -->" if q in explicit else "") + f"\n{a}"
                       for q, a in entries)
    return notes_for(parse_text(f"# Quiz\n\n## T\n\n{body}\n", file="x.md"))


def plan(record, *entries, now=NOW, **kw):
    return plan_deck(record, "Quiz", specs_of(*entries, explicit=kw.pop("explicit", None)), NT, now, **kw)


BASE = [("What is dropout used for?", "Against overfitting."), ("What does KNN stand for?", "K-Nearest Neighbors."),
        ("Which optimizer adapts the learning rate per parameter?", "Adam.")]


def guids(p):
    return {n.fields[0][1]: n.guid for n in p.notes if not n.retired}


# -- matching order -------------------------------------------------------------------------------
def test_exact_question_keeps_its_note_even_with_a_new_answer_and_neighbours():
    record = Record()
    first = guids(plan(record, *BASE))
    shuffled = [("What does KNN stand for?", "Something else entirely."), BASE[2], BASE[0]]
    second = plan(record, *shuffled, now=NOW + 1)
    assert guids(second) == first and second.changed == ["What does KNN stand for?"] and not second.added


def test_case_spacing_and_end_punctuation_are_the_same_question():
    assert normalise_question("  What IS   dropout used for ?? ") == normalise_question("what is dropout used for")
    assert normalise_question("What is dropout?") != normalise_question("What is a dropout?")


def test_explicit_id_owns_its_note_whatever_the_question():
    record = Record()
    first = plan(record, *BASE, explicit={BASE[0][0]: "drop"})
    renamed = [("Why do networks drop units?", "Something new."), BASE[1], BASE[2]]
    second = plan(record, *renamed, now=NOW + 1, explicit={renamed[0][0]: "drop"})
    assert guids(second)["Why do networks drop units?"] == guids(first)[BASE[0][0]]


def test_a_note_with_an_explicit_id_is_not_taken_by_its_old_question_without_the_id():
    record = Record()
    first = plan(record, *BASE, explicit={BASE[0][0]: "drop"})
    second = plan(record, *BASE, now=NOW + 1)  # the same question, but the id was removed
    assert guids(second)[BASE[0][0]] != guids(first)[BASE[0][0]]
    assert second.retired == [BASE[0][0]] and second.added == [BASE[0][0]]


def test_an_entry_with_a_new_explicit_id_is_a_new_note_never_an_edit():
    record = Record()
    first = plan(record, *BASE)
    edited = [("What is dropout used for, mostly?", "Against overfitting."), BASE[1], BASE[2]]
    second = plan(record, *edited, now=NOW + 1, explicit={edited[0][0]: "fresh"})
    assert guids(second)[edited[0][0]] != guids(first)[BASE[0][0]]
    assert second.added == [edited[0][0]] and second.retired == [BASE[0][0]]


def test_an_edit_with_the_same_answer_keeps_the_note():
    record = Record()
    first = plan(record, *BASE)
    reworded = [("Why is dropout used in training?", "Against overfitting."), BASE[1], BASE[2]]
    second = plan(record, *reworded, now=NOW + 1)
    assert guids(second)[reworded[0][0]] == guids(first)[BASE[0][0]] and second.changed == [reworded[0][0]]


def test_a_small_rewording_with_a_new_answer_keeps_the_note():
    record = Record()
    first = plan(record, *BASE)
    second = plan(record, ("What is dropout usually used for?", "Regularisation."), BASE[1], BASE[2], now=NOW + 1)
    assert guids(second)["What is dropout usually used for?"] == guids(first)[BASE[0][0]]


def test_an_unrelated_question_is_new_and_the_old_one_retired():
    record = Record()
    plan(record, *BASE)
    second = plan(record, ("How are decision trees pruned?", "By cost complexity."), BASE[1], BASE[2], now=NOW + 1)
    assert second.added == ["How are decision trees pruned?"] and second.retired == [BASE[0][0]]


def test_two_close_candidates_is_an_error_not_a_guess():
    record = Record()
    plan(record, ("What is the learning rate in SGD?", "A step size."), ("What is the learning rate in Adam?", "A step size."))
    second = plan(record, ("What is the learning rate?", "A step size."), now=NOW + 1)
    (problem,) = second.diagnostics
    assert problem.code == "ambiguous-identity" and "cannot tell which earlier question" in problem.message
    assert "in SGD" in problem.message and "in Adam" in problem.message


def test_a_clearly_stronger_candidate_wins():
    record = Record()
    first = plan(record, ("What is the learning rate in SGD?", "A step size."),
                 ("Which loss suits a regression with outliers?", "Huber loss."))
    second = plan(record, ("What is the learning rate in plain SGD?", "A step size."),
                  ("Which loss suits a regression with outliers?", "Huber loss."), now=NOW + 1)
    assert not second.diagnostics
    assert guids(second)["What is the learning rate in plain SGD?"] == guids(first)["What is the learning rate in SGD?"]


def test_two_edits_claiming_one_note_is_an_error_naming_both():
    record = Record()
    plan(record, ("What is the purpose of dropout in neural networks?", "Regularisation."))
    second = plan(record, ("What is the purpose of dropout in deep networks?", "Regularisation."),
                  ("What is the purpose of dropout in neural nets?", "Regularisation."), now=NOW + 1)
    assert len(second.diagnostics) == 2 and all("several edited questions" in d.message for d in second.diagnostics)
    assert {d.code for d in second.diagnostics} == {"ambiguous-identity"}


def test_word_overlap_counts_content_words_only():
    assert matching.jaccard("what is the bias variance tradeoff", "bias variance tradeoff what") == 1.0
    assert matching.jaccard("what is it", "the a an") == 0.0  # no content words on either side
    assert matching.content_words("what is the relu function for") == {"relu", "function"}
    assert 0 < matching.jaccard("relu function", "relu activation") < 1


def test_evidence_thresholds():
    record = Record()
    plan(record, *BASE)
    note = next(n for n in record.notes if n.question == BASE[0][0])
    (spec,) = specs_of(("What is dropout used for?!", "Against overfitting."))
    assert matching.evidence(spec, note, "") >= matching.STRONG
    (far,) = specs_of(("How do transformers attend to tokens?", "Other."))
    assert matching.evidence(far, note, "") < matching.STRONG
    note.kind = "cloze"
    assert matching.evidence(spec, note, "") == 0.0


def test_a_long_question_is_matched_in_bounded_time():
    long = "What is " + "very " * 200_000 + "long?"
    record = Record()
    plan(record, (long, "Yes."), *BASE)
    second = plan(record, (long.replace("What", "Which"), "Yes."), *BASE, now=NOW + 1)
    assert not second.diagnostics and not second.added


# -- ids --------------------------------------------------------------------------------------------
def test_guid_collision_takes_the_next_hash():
    record = Record()
    first = plan(record, *BASE)
    taken = {n.guid for n in first.notes}
    (spec,) = specs_of(("What is a brand new question?", "Yes."))
    wanted = guid_for("Quiz", "entry", spec.key)
    record.notes.append(RecordedNote(wanted, 1, "elsewhere", "basic", "entry", "x", "x", "", "", "1.0.0", 1))
    second = plan(record, *BASE, ("What is a brand new question?", "Yes."), now=NOW + 1)
    new = guids(second)["What is a brand new question?"]
    assert new not in taken and new != wanted and new == guid_for("Quiz", "entry", spec.key, 2)


def test_note_ids_derive_from_the_guid_and_step_past_collisions():
    taken: set[int] = set()
    first = note_id_for("abc", taken)
    assert first % NOTE_ID_STRIDE == 0 and 1_500_000_000_000 <= first < 1_800_000_000_000
    assert note_id_for("abc", set()) == first, "the same on every machine and branch"
    assert note_id_for("abc", {first}) == first + NOTE_ID_STRIDE
    assert note_id_for("abd", set()) != first


def test_guids_do_not_depend_on_the_deck_title():
    a, b = Record(), Record()
    first = plan_deck(a, "Quiz", specs_of(*BASE), NT, NOW, key="quiz.md")
    second = plan_deck(b, "Another Title", specs_of(*BASE), NT, NOW, key="quiz.md")
    assert [n.guid for n in first.notes] == [n.guid for n in second.notes]


# -- versions -------------------------------------------------------------------------------------
@pytest.mark.parametrize("previous, bump, expected", [
    (None, 1, FIRST_VERSION), ("1.2.3", -1, "1.2.3"), ("1.2.3", 0, "1.2.4"), ("1.2.3", 1, "1.3.0"), ("1.2.3", 2, "2.0.0"),
])
def test_next_version(previous, bump, expected):
    assert next_version(previous, bump, None) == expected


def test_forced_versions_move_forward_only():
    assert next_version("1.0.0", 0, "1.0.1", ["1.0.0"]) == "1.0.1"
    assert next_version("1.0.0", -1, "1.0.0", ["1.0.0"], changed=False) == "1.0.0"
    for bad in ("1.0.0", "0.9.9"):
        with pytest.raises(MlankiError, match="not newer"):
            next_version("1.0.0", 0, bad, ["0.5.0", "1.0.0"])
    with pytest.raises(MlankiError, match="is not a version like"):
        next_version(None, 0, "v1", [])
    assert semver_key("1.10.0") > semver_key("1.9.9")


def test_release_history_is_kept_per_deck():
    record = Record()
    plan_deck(record, "A", specs_of(*BASE), NT, NOW, key="a.md")
    plan_deck(record, "B", specs_of(BASE[0]), NT, NOW, key="b.md")
    plan_deck(record, "A", specs_of(*BASE[:2]), NT, NOW + 1, key="a.md")
    assert [r.version for r in record.releases["a.md"]] == ["1.0.0", "1.1.0"]
    assert [r.version for r in record.releases["b.md"]] == ["1.0.0"]
    assert record.decks["a.md"].notes == 3 and record.decks["b.md"].notes == 1


# -- the record file ------------------------------------------------------------------------------
def _saved(tmp_path, record) -> "Path":
    path = tmp_path / "mlanki.lock"
    path.write_text(record.dumps(), encoding="utf-8")
    return path


def test_record_round_trip_and_forward_compatible_keys(tmp_path):
    record = Record()
    plan(record, *BASE)
    path = _saved(tmp_path, record)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["notes"][0]["colour"] = "a key from a newer mlanki"
    data["something_new"] = {"x": 1}
    path.write_text(json.dumps(data), encoding="utf-8")
    again = read_record(path)
    assert [vars(n) for n in again.notes] == [vars(n) for n in sorted(record.notes, key=lambda n: (n.deck, n.status, n.key, n.role, n.guid))]
    assert again.dumps() == record.dumps()


def test_missing_record_is_empty(tmp_path):
    assert read_record(tmp_path / "none.lock").notes == []


def test_conflict_markers_split_into_both_sides():
    text = "a\n<<<<<<< HEAD\nours\n||||||| base\nold\n=======\ntheirs\n>>>>>>> branch\nz\n"
    assert split_conflict(text) == ("a\nours\nz\n", "a\ntheirs\nz\n")
    assert split_conflict("no markers\n") is None


def test_merge_is_symmetric_and_keeps_the_newer_copy():
    left, right = Record(), Record()
    plan(left, *BASE)
    plan(right, *BASE)
    plan(left, ("What is dropout used for?", "Changed on the left."), *BASE[1:], now=NOW + 5)
    plan(right, *BASE, ("What is a new question on the right?", "Yes."), now=NOW + 3)
    one, other = merge(left, right), merge(right, left)
    assert one.dumps() == other.dumps()
    assert len(one.notes) == 4
    dropout = next(n for n in one.notes if n.question == "What is dropout used for?")
    assert dropout.mod >= NOW + 5
    assert [r.version for r in one.releases["Quiz"]] == ["1.0.0", "1.0.1", "1.1.0"]


def test_merge_settles_two_notes_claiming_one_question():
    left, right = Record(), Record()
    plan(left, *BASE)
    plan(right, *BASE)
    right.notes[0].guid, right.notes[0].id = "other-guid", right.notes[0].id + 1
    key = right.notes[0].key
    merged = merge(left, right)
    claimed = [n for n in merged.notes if n.key == key]
    assert len(claimed) == 1 and claimed[0].guid != "other-guid"
    assert "claimed by two notes kept the older note" in merged.repairs[-1][1]


def test_duplicate_note_ids_are_settled(tmp_path):
    record = Record()
    plan(record, *BASE)
    record.notes[1].id = record.notes[0].id
    again = read_record(_saved(tmp_path, record))
    assert len({n.id for n in again.notes}) == 3
    assert any("had the note id of" in message for _line, message in again.repairs)


def test_format_1_records_are_read_and_their_decks_adopted(tmp_path):
    old = {"format": 1, "notetypes": {}, "releases": {"Quiz": [{"version": "1.0.0", "date": "2026-01-01",
                                                               "added": ["q", "definition of: q"]}]},
           "notes": [{"guid": "g1", "id": 5, "deck": "Quiz", "kind": "basic", "role": "entry",
                      "key": normalise_question(BASE[0][0]), "question": BASE[0][0], "content": "", "answer": "",
                      "version": "1.0.0", "mod": 7}]}
    path = tmp_path / "mlanki.lock"
    path.write_text(json.dumps(old), encoding="utf-8")
    record = read_record(path)
    assert record.legacy and record.releases["Quiz"][0].added == ["q"]
    from pathlib import Path

    from mlanki.deck_identity import DeckSource, resolve

    resolve(record, DeckSource("quiz.md", "quiz.md", "Quiz", "quiz"), specs_of(BASE[0]), tmp_path, tmp_path, {"quiz.md"})
    assert [n.deck for n in record.notes] == ["quiz.md"] and "quiz.md" in record.releases
    assert Path(tmp_path).exists()
    made = plan_deck(record, "Quiz", specs_of(BASE[0]), NT, NOW, key="quiz.md")
    assert made.notes[0].guid == "g1" and made.version == "1.0.1"
    assert made.explanations == ["Rebuilt by a newer mlanki: deck ids no longer depend on the deck's title. "
                                 "No card changed."]


def test_a_damaged_record_never_gives_a_traceback(tmp_path):
    """Lines lost, doubled or cut anywhere: a record is read, repaired, or refused with file:line."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    record = Record()
    plan(record, *BASE)
    plan(record, *BASE[:2], ("What is a new question?", "Yes."), now=NOW + 1)
    lines = record.dumps().splitlines(keepends=True)
    path = tmp_path / "mlanki.lock"

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.lists(st.tuples(st.sampled_from(["drop", "double", "cut", "swap", "conflict"]),
                              st.integers(0, len(lines) - 1), st.integers(0, 200)), min_size=1, max_size=4))
    def damaged(edits):
        text = list(lines)
        for how, at, cut in edits:
            at %= len(text)
            if how == "drop":
                del text[at]
            elif how == "double":
                text.insert(at, text[at])
            elif how == "cut":
                text[at] = text[at][: cut % (len(text[at]) + 1)]
            elif how == "swap" and at + 1 < len(text):
                text[at], text[at + 1] = text[at + 1], text[at]
            elif how == "conflict":
                text[at:at + 1] = ["<<<<<<< HEAD\n", text[at], "=======\n", ">>>>>>> other\n"]
            if not text:
                text = ["\n"]
        path.write_text("".join(text), encoding="utf-8")
        try:
            read = read_record(path)
        except MlankiError as error:
            assert re.match(r".*mlanki\.lock(?: \(one side of a merge conflict\))?:\d+: ", error.message), error.message
        else:
            assert all(isinstance(n.mod, int) and n.guid for n in read.notes)

    damaged()


def test_stopwords_say_nothing_about_which_question():
    words = "what is are the a an of in to for and or how does do which why"
    assert matching.content_words(words) == set()
    assert matching.content_words(words + " gradient") == {"gradient"}


def test_identical_content_is_the_same_note_when_the_question_cannot_say():
    """A record restored from a package may not know a cloze entry's heading: its content decides."""
    record = Record()
    entry = ("Which technique disables neurons?", "{{c1::Dropout}} disables neurons at random.")
    first = plan(record, entry, *BASE[1:])
    cloze = next(n for n in record.notes if n.kind == "cloze")
    cloze.key = "restored without its heading"
    second = plan(record, entry, *BASE[1:], now=NOW + 1)
    assert {n.guid for n in second.notes} == {n.guid for n in first.notes} and not second.added


def test_the_same_neighbour_recognises_an_edit_in_place():
    record = Record()
    entries = [("Which optimizer keeps momentum terms?", "Adam."), ("How is the batch size chosen?", "By memory."),
               ("Which loss suits classification?", "Cross-entropy.")]
    first = guids(plan(record, *entries))
    moved = ("How should one choose the batch size?", "By memory and speed.")
    second = plan(record, entries[0], moved, entries[2], now=NOW + 1)
    assert guids(second)[moved[0]] == first[entries[1][0]], "similar question, same place"
    third = Record()
    plan(third, *entries)
    elsewhere = plan(third, moved, entries[0], entries[2], now=NOW + 1)
    assert elsewhere.added == [moved[0]], "the same edit elsewhere is not enough evidence"


def test_a_live_note_is_preferred_to_a_retired_lookalike():
    record = Record()
    first = guids(plan(record, ("What is concept number 1 about?", "One."), ("What is concept number 4 about?", "Four.")))
    plan(record, ("What is concept number 1 about?", "One."), now=NOW + 1)  # 4 retired
    third = plan(record, ("What is the concept number 1 about?", "One."), now=NOW + 2)
    assert not third.diagnostics
    assert guids(third)["What is the concept number 1 about?"] == first["What is concept number 1 about?"]


def test_an_exact_question_prefers_the_live_older_note():
    record = Record()
    plan(record, *BASE)
    live = next(n for n in record.notes if n.question == BASE[0][0])
    twin = RecordedNote("twin", live.id - NOTE_ID_STRIDE, live.deck, "basic", "entry", live.key, live.question,
                        "", "", "1.0.0", 1, status="retired")
    record.notes.append(twin)
    again = plan(record, *BASE, now=NOW + 1)
    assert guids(again)[BASE[0][0]] == live.guid
    twin.status, twin.id = "active", live.id + NOTE_ID_STRIDE
    live.status = "active"
    assert guids(plan(record, *BASE, now=NOW + 2))[BASE[0][0]] == live.guid, "the older of two live notes"


def test_an_explicit_id_reaches_the_definition_cloze_too():
    record = Record()
    entry = ("What is batch normalization?", "Batch normalization is a way to normalise layer inputs.")
    first = plan(record, entry, explicit={entry[0]: "bn"})
    assert len(first.notes) == 2, "a basic note and its definition cloze"
    renamed = ("What does batch normalization do?", "Batch normalization is a way to normalise layer inputs.")
    second = plan(record, renamed, now=NOW + 1, explicit={renamed[0]: "bn"})
    assert sorted(n.guid for n in second.notes) == sorted(n.guid for n in first.notes)


def test_the_ambiguity_message_names_up_to_three_candidates():
    record = Record()
    plan(record, *[(f"What is the learning rate in optimizer {x}?", "A step size.") for x in "ABCD"])
    (problem,) = plan(record, ("What is the learning rate in optimizer?", "A step size."), now=NOW + 1).diagnostics
    assert problem.code == "ambiguous-identity"
    assert problem.message.count("'What is the learning rate in optimizer ") == 3
    assert "?'; 'What" in problem.message


# -- what a plan says, and the clock ----------------------------------------------------------------
def test_plan_describes_itself_for_mlanki_diff():
    record = Record()
    first = plan(record, *BASE)
    assert first.describe() == "Quiz: first release 1.0.0 (3 notes)"
    assert plan(record, *BASE, now=NOW + 1).describe() == "Quiz: 1.0.0, no change"
    many = [(f"What is extra question {n}?", "Yes.") for n in range(7)]
    third = plan(record, ("What does KNN stand for?", "Changed."), *BASE[2:], *many, now=NOW + 2)
    assert third.describe(limit=2).splitlines() == [
        "Quiz: 1.0.0 -> 1.1.0 (7 added, 1 changed, 1 retired)",
        "  + What is extra question 0?", "  + What is extra question 1?", "  + ... and 5 more",
        "  ~ What does KNN stand for?", "  - What is dropout used for?"]


def test_mods_move_forward_even_when_the_clock_goes_back():
    record = Record()
    plan(record, *BASE, now=NOW)
    second = plan(record, ("What does KNN stand for?", "Changed."), BASE[2], now=NOW - 3600)
    mods = {n.fields[0][1] if not n.retired else "retired": n.mod for n in second.notes}
    assert mods["What does KNN stand for?"] == NOW + 1 and mods["retired"] == NOW + 1
    assert mods["Which optimizer adapts the learning rate per parameter?"] == NOW
    assert record.releases["Quiz"][-1].date == "2025-11-24"


def test_a_forced_version_equal_to_the_last_adds_no_release():
    record = Record()
    plan(record, *BASE, version="1.2.0")
    plan(record, *BASE, now=NOW + 1, version="1.2.0")
    assert [r.version for r in record.releases["Quiz"]] == ["1.2.0"]


def test_source_field_comes_from_the_record_line_and_version():
    record = Record()
    made = plan_deck(record, "Quiz", specs_of(*BASE), NT, NOW, source_field=lambda n: f"{n.line}@{n.version}")
    assert [dict(n.fields)["Source"] for n in made.notes] == ["5@1.0.0", "8@1.0.0", "11@1.0.0"]


def test_explicit_ids_and_note_ids_are_stable_across_versions():
    """Pinned values: a later mlanki must derive the same GUIDs and note ids, or merges would diverge."""
    assert guid_for("quiz.md", "entry", "id:my-id") == "g*fAU!K9>D"
    assert note_id_for("abc", set()) == 1642149622100
    record = Record()
    made = plan_deck(record, "Quiz", specs_of(BASE[0], explicit={BASE[0][0]: "my-id"}), NT, NOW, key="quiz.md")
    assert made.notes[0].guid == "g*fAU!K9>D"


def test_adopted_notes_keep_their_note_type_fields():
    from mlanki.identity import _foreign_fields

    basic = (("Question", "Q?"), ("Options", "<ol><li>a</li></ol>"), ("Answer", "A."), ("Explanation", "Because."),
             ("Topic", "T"), ("Source", "s"), ("Status", ""))
    assert _foreign_fields(basic, ["Front", "Back", "Extra"]) == (
        ("Front", "Q?\n<ol><li>a</li></ol>"), ("Back", "A.\nBecause."), ("Extra", ""))
    cloze = (("Text", "{{c1::x}}"), ("Extra", "more"), ("Topic", "T"), ("Source", "s"), ("Status", ""))
    assert _foreign_fields(cloze, ["Text", "Back Extra"]) == (("Text", "{{c1::x}}"), ("Back Extra", "more"))


def test_a_field_change_is_refused_then_a_major_version():
    from dataclasses import replace

    record = Record()
    plan(record, *BASE)
    changed = {k: replace(nt, fields=nt.fields + ("Hint",)) for k, nt in NT.items()}
    with pytest.raises(MlankiError, match=r"the fields of note type 'mlanki Basic' changed from \[.*\] to \[.*'Hint'\]"):
        plan_deck(record, "Quiz", specs_of(*BASE), changed, NOW + 1)
    made = plan_deck(record, "Quiz", specs_of(*BASE), changed, NOW - 10, allow_field_change=True)
    assert made.version == "2.0.0" and made.notetype_mods["basic"] == NOW + 1
    assert made.notetype_ids["basic"] != NT["basic"].id


# -- the record file's messages, exactly ---------------------------------------------------------------
RESTORE = ("restore it from version control (or delete the file: the next build recovers identity from the "
           "released packages)")


def _record_text() -> str:
    record = Record()
    plan(record, *BASE)
    return record.dumps()


def _damaged(tmp_path, change) -> tuple[Path, list[str]]:
    """The record of BASE as JSON data, changed by ``change(data)``, written in the record's layout."""
    record = Record()
    plan(record, *BASE)
    data = json.loads(record.dumps())
    change(data)
    text = json.dumps(data, indent=0)
    path = tmp_path / "mlanki.lock"
    path.write_text(text, encoding="utf-8")
    return path, text.splitlines()


def _note0(data):
    return data["notes"][0]


@pytest.mark.parametrize("change, needle, message", [
    (lambda d: d.update(decks=[1]), '"decks"', '"decks" should be a JSON object'),
    (lambda d: _note0(d).pop("answer"), "GUID", "note GUID lacks answer"),
    (lambda d: _note0(d).update(kind="fancy"), "GUID", "note GUID: \"kind\" is \"fancy\", expected 'basic', 'cloze' "
     "or an adopted note type ('foreign-basic:ID')"),
    (lambda d: _note0(d).update(mod=True), "GUID", 'note GUID: "mod" is true, expected a whole number of seconds'),
    (lambda d: _note0(d).update(id=-5), "GUID", 'note GUID: "id" is -5, expected a positive whole number'),
    (lambda d: d["releases"]["Quiz"][0].update(version=100), '"releases"',
     "a release of 'Quiz' has version 100, expected a version like 1.2.3"),
    (lambda d: d["releases"]["Quiz"][0].update(added="x"), '"1.0.0"', "release 1.0.0 of 'Quiz' should list questions"),
    (lambda d: d["notetypes"]["basic"].pop("look"), '"notetypes"',
     "note type 'basic' should have id, name, fields, look and mod"),
    (lambda d: d["notetypes"]["basic"].update(mod=True), '"notetypes"',
     "note type 'basic' should have id, name, fields, look and mod"),
    (lambda d: d["decks"]["Quiz"].pop("name"), '"decks"', "deck 'Quiz' should have a name"),
])
def test_record_messages(tmp_path, change, needle, message):
    path, lines = _damaged(tmp_path, change)
    guid = json.loads(path.read_text(encoding="utf-8"))["notes"][0]["guid"]
    needle = f'"guid": "{guid}"' if needle == "GUID" else needle
    line = next(i for i, row in enumerate(lines, 1) if needle in row)
    if needle == '"releases"':
        line = next(i for i, row in enumerate(lines, 1) if row.startswith('"Quiz": ') and i > line)
    if needle == '"decks"' and "name" in message:
        line = next(i for i, row in enumerate(lines, 1) if row.startswith('"Quiz": ') and i > line)
    with pytest.raises(MlankiError) as raised:
        read_record(path)
    assert raised.value.message == f"{path}:{line}: {message.replace('GUID', guid)}; {RESTORE}"


def test_a_union_merged_record_is_read_line_by_line(tmp_path):
    """What git's merge=union leaves: both sides' changed lines, commas and all."""
    import subprocess

    base, left, right = Record(), Record(), Record()
    for record in (base, left, right):
        plan(record, *BASE)
    plan(left, *BASE, ("What is left's question?", "L."), now=NOW + 1)
    plan(right, *BASE, ("What is right's question?", "R."), now=NOW + 2)
    files = []
    for name, record in (("ours", left), ("base", base), ("theirs", right)):
        files.append(tmp_path / name)
        files[-1].write_text(record.dumps(), encoding="utf-8")
    subprocess.run(["git", "merge-file", "--union", *map(str, files)], check=True)
    path = tmp_path / "mlanki.lock"
    files[0].rename(path)
    with pytest.raises(ValueError):
        json.loads(path.read_text(encoding="utf-8"))
    record = read_record(path)
    assert {n.question for n in record.notes} >= {"What is left's question?", "What is right's question?", BASE[0][0]}
    assert len(record.notes) == 5
    assert [r.version for r in record.releases["Quiz"]] == ["1.0.0", "1.1.0"]
    assert any("git's union merge" in message for _line, message in record.repairs)
    assert record.decks["Quiz"].name == "Quiz"


def test_a_retired_note_is_revived_by_a_reworded_comeback():
    record = Record()
    first = guids(plan(record, ("What is the bias-variance tradeoff about?", "Balance."), BASE[1]))
    plan(record, BASE[1], now=NOW + 1)  # retired
    third = plan(record, ("What is the bias variance trade-off about?", "Balance."), BASE[1], now=NOW + 2)
    assert third.changed == ["What is the bias variance trade-off about?"] and not third.added
    assert guids(third)["What is the bias variance trade-off about?"] == first["What is the bias-variance tradeoff about?"]


def test_an_explicit_id_finds_its_own_roles_note_not_another_of_that_role():
    record = Record()
    entry = ("What is batch normalization?", "Batch normalization is a way to normalise layer inputs.")
    first = plan(record, BASE[1], entry, explicit={entry[0]: "bn"})
    renamed = ("What does batch normalization do?", entry[1])
    second = plan(record, BASE[1], renamed, now=NOW + 1, explicit={renamed[0]: "bn"})
    assert guids(second)[renamed[0]] == guids(first)[entry[0]]
    assert guids(second)[BASE[1][0]] == guids(first)[BASE[1][0]]


def test_merge_messages_and_release_names_are_settled_the_same_way():
    left, right = Record(), Record()
    plan(left, *BASE)
    plan(right, *BASE)
    plan(left, *BASE, ("What is left's question?", "L."), now=NOW + 1)
    for note in right.notes:
        note.guid, note.id = note.guid + "-r", note.id + 1  # the same questions under other GUIDs
    right.releases["Quiz"][0].name = "Quiz Z"
    merged = merge(left, right)
    message = merged.repairs[-1][1]
    assert message.startswith("the record had git conflict markers: read both sides (4 and 3 notes) and kept their "
                              "union (7 notes); 3 question(s) claimed by two notes kept the older note: '")
    assert message.count("'; '") == 2
    assert merged.releases["Quiz"][0].name == "Quiz Z", "the same version from both sides: one name, chosen alike"


def test_a_retired_note_never_takes_a_question_from_a_live_one():
    left, right = Record(), Record()
    plan(left, *BASE)
    old = left.notes[0]
    old.status = "retired"
    twin = RecordedNote("newer", old.id + NOTE_ID_STRIDE, old.deck, old.kind, old.role, old.key, old.question,
                        "", "", "1.0.0", 5)
    right.notes.append(twin)
    merged = merge(left, right)
    live = next(n for n in merged.notes if n.guid == "newer")
    assert live.key == old.key, "the live note keeps its question; the retired one claims nothing"
