"""The issue's scenario, shared by both targets: deck v1 on the target, every card reviewed, then v2.

From v1 (decks/v1) to v2 (decks/v2, with its ``#`` title renamed by ``Project.write``): one question
reworded, one answer edited, one entry added (with an image), one removed, three moved to other
topics, one of them a cloze note with two cards (the "Protocols" subdeck is left empty). Every entry
has an explicit id (``<!-- mlanki-id: ... -->``), so the reworded question keeps its GUID whatever
the build's matching heuristics do; the deck keeps its identity across the title rename because
decks are keyed by their source file (issue 8).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from anki_support import NoteView, snapshot
from mlanki.cli import cli

DECKS = Path(__file__).parent / "decks"
DECK = "Networking Basics"
RENAMED_TITLE = "Networking Fundamentals"
LEARNER_NAME = "My Networking"  # what a learner renamed the deck to: sync gives it back its title
OWN_DECK = "French"
V1_NOW, V2_NOW = 1_764_000_000, 1_764_086_400  # fixed clocks: no wall clock in tests
RETIRED_TAG = "mlanki::retired"

PHYSICAL, PHYSICAL_V2 = "What does the physical layer carry?", "What does the physical layer transmit?"
ROUTING = "Which layer routes packets between networks?"
HTTP = "Which port does HTTP use by default?"
DNS = "What does DNS turn into addresses?"
UDP = "Which transport protocol sends datagrams without a connection?"
PADLOCK = "What does a browser show for a secure page?"
V1_QUESTIONS = (PHYSICAL, ROUTING, HTTP, DNS, UDP)


@dataclass
class Project:
    """A maintainer's folder: source/ holds one version of the fixture deck, build/ the packages."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def package(self) -> Path:
        return self.root / "build" / "networking-basics.apkg"

    def write(self, version: str, title: str = DECK) -> None:
        """Put version v1 or v2 into source/ (the record file stays, as in a real project)."""
        self.source.mkdir(parents=True, exist_ok=True)
        for old in self.source.iterdir():
            if old.name != "mlanki.lock":
                old.unlink()
        for new in (DECKS / version).iterdir():
            shutil.copy(new, self.source / new.name)
        deck = self.source / "networking.md"
        deck.write_text(deck.read_text().replace(f"# {DECK}\n", f"# {title}\n", 1))

    def mlanki(self, *args: str, now: int):
        """Run the command line with a fixed clock (stamps of changed notes)."""
        env = {"SOURCE_DATE_EPOCH": str(now)}
        return CliRunner().invoke(cli, [args[0], str(self.source), "-o", str(self.root / "build"), *args[1:]],
                                  env=env, catch_exceptions=False)


def cloze(view) -> NoteView:
    (note,) = [n for n in view.notes if n.notetype == "mlanki Cloze"]
    return note


def questions(col) -> dict[str, str]:
    """Question -> GUID of the collection's mlanki notes, as Anki shows them."""
    return {n.fields["Question"]: n.guid for n in snapshot(col).notes if n.notetype == "mlanki Basic"}


def own_notes(col) -> tuple[NoteView, ...]:
    """The learner's own notes (Anki's stock note types), as plain values."""
    return tuple(n for n in snapshot(col).notes if not n.notetype.startswith("mlanki"))


def add_own_notes(col) -> None:
    """A learner's own deck and note, in a note type of their own."""
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "la pomme", "the apple"
    col.add_note(note, col.decks.id(OWN_DECK))


def check_v2(col, v1: dict[str, str], history: dict[str, int], own: tuple, deck: str = DECK,
             deleted: bool = False, kept_decks: tuple[str, ...] = ()) -> None:
    """What the target must hold after v2 was synced (``deleted``: with --delete-retired;
    ``kept_decks``: old decks that must stay because they hold the learner's own cards)."""
    from anki_support import review_history

    view = snapshot(col)
    ours = [n for n in view.notes if n.notetype.startswith("mlanki")]
    assert len(ours) == len({n.guid for n in ours}) == (6 if deleted else 7), "duplicates or lost notes"
    kept = [q for q in V1_QUESTIONS if not (deleted and q == UDP)]
    assert {v1[q] for q in kept} <= {n.guid for n in ours}, "a v1 note lost its GUID"
    expected_history = {g: n for g, n in history.items() if not (deleted and g == v1[UDP])}
    assert review_history(col) == expected_history

    assert view.note(v1[PHYSICAL]).fields["Question"] == PHYSICAL_V2
    assert "(layer 3), using IP addresses" in view.note(v1[ROUTING]).fields["Answer"]
    assert view.note(v1[DNS]).decks == (f"{deck}::Layers",)
    assert view.note(v1[HTTP]).decks == (f"{deck}::Web",)
    assert cloze(view).decks == (f"{deck}::Web",) and cloze(view).card_count == 2
    assert history[cloze(view).guid] == 2
    (added,) = [n for n in ours if n.fields.get("Question") == PADLOCK]
    assert added.decks == (f"{deck}::Web",)
    (image,) = [name for name in os.listdir(col.media.dir()) if name.endswith("padlock.png")]
    assert image in "".join(added.fields.values())
    assert (Path(col.media.dir()) / image).read_bytes() == (DECKS / "v2" / "padlock.png").read_bytes()

    if deleted:
        assert v1[UDP] not in {n.guid for n in view.notes}
    else:
        retired = view.note(v1[UDP])
        assert RETIRED_TAG in retired.tags
        assert {c.queue for c in col.get_note(retired.id).cards()} == {-1}, "retired card not suspended"
    active = [n for n in ours if RETIRED_TAG not in n.tags]
    assert all(c.queue != -1 for n in active for c in col.get_note(n.id).cards())

    assert f"{deck}::Protocols" not in view.decks, "the emptied subdeck is still there"
    assert [d for d in view.decks if d.split("::")[0] in (LEARNER_NAME, DECK, RENAMED_TITLE) and
            not d.startswith(deck)] == list(kept_decks), f"decks of an old name: {view.decks}"
    assert own_notes(col) == own, "the learner's own notes changed"
    assert OWN_DECK in view.decks
