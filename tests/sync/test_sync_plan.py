"""The plan as printed: counts of each kind, the first few of each in a dry run, one line after a sync.

Pure data in and out (the plan is computed from plain snapshots); applying it is tested against real
Anki in test_sync_collection.py and test_sync_ankiconnect.py.
"""

from __future__ import annotations

from pathlib import Path

from mlanki.sync.content import PackageContents, PackagedNote
from mlanki.sync.plan import SHOWN, Target, TargetCard, TargetNote, plan_sync

DECK = "Deck"


def note(number: int, deck: str = DECK, retired: bool = False) -> PackagedNote:
    return PackagedNote(f"guid{number}", "mlanki Basic", (("Question", f"<p>Question {number}?</p>"),),
                        ("mlanki::retired",) if retired else (), deck, retired)


def contents(*notes: PackagedNote) -> PackageContents:
    return PackageContents(DECK, Path("unused.apkg"), notes, {}, ())


def target(*notes: TargetNote, decks=(DECK,)) -> Target:
    return Target(notes, {}, frozenset(decks), frozenset())


def test_a_dry_run_lists_the_first_few_of_each_kind_and_a_sync_only_counts():
    plan = plan_sync(contents(*(note(n) for n in range(SHOWN + 3))), target())
    detailed = plan.describe().splitlines()
    assert detailed[0] == f"{DECK}: {SHOWN + 3} added, 0 updated, 0 moved, 0 renamed, 0 retired, 0 deleted"
    assert detailed[1:] == [f"  added: Question {n}?" for n in range(SHOWN)] + ["  added: ... and 3 more"]
    assert plan.describe(detailed=False) == detailed[0]


def test_a_retired_entry_is_suspended_moved_to_the_top_deck_or_deleted():
    present = TargetNote(7, "guid1", "mlanki Basic", (("Question", "<p>Question 1?</p>"),), (),
                         (TargetCard(70, f"{DECK}::Old topic", False),))
    wanted = contents(note(1, retired=True))
    plan = plan_sync(wanted, target(present))
    assert [u.note_id for u in plan.retire] == [7] and plan.suspend == (70,) and not plan.delete
    assert [(m.card_id, m.to_deck) for m in plan.move] == [(70, DECK)]
    assert plan.left_decks == (f"{DECK}::Old topic",)
    deleting = plan_sync(wanted, target(present), delete_retired=True)
    assert [d.note_id for d in deleting.delete] == [7] and not deleting.retire and not deleting.move


def test_a_learner_renamed_deck_is_renamed_but_a_learners_parent_deck_is_not():
    def placed(deck: str) -> TargetNote:
        return TargetNote(7, "guid1", "mlanki Basic", (("Question", "<p>Question 1?</p>"),), (),
                          (TargetCard(70, deck, False),))

    wanted = contents(note(1, f"{DECK}::Topic"))
    renamed = plan_sync(wanted, target(placed("Mine::Topic"), decks=("Mine", "Mine::Topic")))
    assert renamed.rename == (("Mine", DECK),) and renamed.moves_after_rename == ()
    nested = plan_sync(wanted, target(placed(f"Languages::{DECK}::Topic"), decks=("Languages",)))
    assert nested.rename == () and [m.to_deck for m in nested.move] == [f"{DECK}::Topic"]
    assert "Languages" not in nested.left_decks  # never a deck outside the deck's own tree
