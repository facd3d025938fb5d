"""Check mlanki's decks with the real Anki backend (the official ``anki`` package), no mocks.

Tests build a .apkg, import it the way a user's desktop Anki would, and look at what Anki
ended up with. The facts these helpers let tests check (GUID matching, mod-based updates,
kept review history) are in shared/design/ANKI-FACTS.md.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition, ImportResponse
from anki.notes import Note
from anki.scheduler.v3 import CardAnswer

# What a fresh profile's import dialog pre-fills. Checked against Anki's own presets in
# fresh_collection(), so a change in Anki's defaults fails loudly instead of silently
# testing against options no user has.
DEFAULT_IMPORT_OPTIONS = ImportAnkiPackageOptions(
    update_notes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    update_notetypes=ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    merge_notetypes=False,
    with_scheduling=False,
    with_deck_configs=False,
)


def fresh_collection(tmp_path: Path) -> Collection:
    """A new, empty collection under tmp_path: a brand-new profile, offline, away from $HOME.

    Anki needs no network to open or import, and keeps its media folder and media db beside
    the collection file, so nothing is written outside tmp_path. Each call makes its own
    subfolder, so one test can compare several collections. Close with ``col.close()``.
    A fresh collection already holds Anki's stock note types and a "Default" deck.
    """
    folder = Path(tempfile.mkdtemp(prefix="anki-", dir=tmp_path))
    col = Collection(os.fspath(folder / "collection.anki2"))
    presets = col._backend.get_import_anki_package_presets()
    assert presets == DEFAULT_IMPORT_OPTIONS, f"Anki's import defaults changed: {presets}"
    return col


def import_package(col: Collection, apkg_path: Path) -> ImportResponse:
    """Import apkg_path with the options a fresh profile uses, as the desktop app does.

    Returns Anki's import response; ``.log`` lists notes as new / updated / duplicate
    (same guid, not newer, so left alone) / conflicting (notetype mismatch), etc.
    The options are passed explicitly, because each import saves its options as the
    next presets.
    """
    request = ImportAnkiPackageRequest(
        package_path=os.fspath(Path(apkg_path).resolve()), options=DEFAULT_IMPORT_OPTIONS
    )
    return col.import_anki_package(request)


@dataclass(frozen=True)
class NoteView:
    id: int
    guid: str
    notetype: str
    fields: dict[str, str]
    tags: tuple[str, ...]  # sorted, as Anki stores them
    decks: tuple[str, ...]  # distinct deck names of the note's cards, sorted
    card_count: int
    mod: int  # seconds; decides whether a later import updates the note


@dataclass(frozen=True)
class NotetypeView:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (name, question format, answer format)
    css: str
    mod: int  # seconds; a package's note type replaces this one only if its mod is newer


@dataclass(frozen=True)
class Snapshot:
    notes: tuple[NoteView, ...]  # sorted by (guid, id); a list, since guids can repeat
    decks: tuple[str, ...]  # sorted, includes Anki's own "Default" and parent decks
    notetypes: dict[str, NotetypeView]  # by name, includes Anki's stock note types
    card_count: int

    def note(self, guid: str) -> NoteView:
        """The one note with this guid (the key mlanki controls); fails if 0 or 2+."""
        (found,) = [n for n in self.notes if n.guid == guid]
        return found


def snapshot(col: Collection) -> Snapshot:
    """What Anki sees after an import, in plain values that tests can compare with ==."""
    notes = [_note_view(col, col.get_note(nid)) for nid in col.find_notes("")]
    notetypes = {}
    for entry in col.models.all_names_and_ids():
        nt = col.models.get(entry.id)
        notetypes[nt["name"]] = NotetypeView(
            id=nt["id"],
            name=nt["name"],
            fields=tuple(f["name"] for f in nt["flds"]),
            templates=tuple((t["name"], t["qfmt"], t["afmt"]) for t in nt["tmpls"]),
            css=nt["css"],
            mod=nt["mod"],
        )
    return Snapshot(
        notes=tuple(sorted(notes, key=lambda n: (n.guid, n.id))),
        decks=tuple(sorted(d.name for d in col.decks.all_names_and_ids())),
        notetypes=notetypes,
        card_count=col.card_count(),
    )


def _note_view(col: Collection, note: Note) -> NoteView:
    cards = note.cards()
    return NoteView(
        id=note.id,
        guid=note.guid,
        notetype=note.note_type()["name"],
        fields=dict(note.items()),
        tags=tuple(sorted(note.tags)),
        decks=tuple(sorted({col.decks.name(c.did) for c in cards})),
        card_count=len(cards),
        mod=note.mod,
    )


def review_all(col: Collection) -> int:
    """Answer every card once with GOOD through the real v3 scheduler; returns how many.

    Goes card by card (Anki computes each card's next states) rather than through the
    daily queue, so the new-cards-per-day limit cannot leave cards unreviewed. Each answer
    writes a revlog row, which lets tests prove a re-import keeps review history.
    """
    cids = col.find_cards("")
    for cid in cids:
        card = col.get_card(cid)
        card.start_timer()
        states = col._backend.get_scheduling_states(cid)
        answer = col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD)
        col.sched.answer_card(answer)
    return len(cids)


def review_history(col: Collection) -> dict[str, int]:
    """Revlog rows per note guid: what a user would lose if a note got a new guid.

    Notes without reviews are absent; notes sharing a guid are counted together.
    """
    rows = col.db.all(
        "select n.guid, count(r.id) from revlog r"
        " join cards c on c.id = r.cid join notes n on n.id = c.nid group by n.guid"
    )
    return {guid: count for guid, count in rows}


def rendered(col: Collection, note_id: int) -> list[tuple[str, str]]:
    """(question, answer) HTML per card of a note, in card order, as the reviewer shows it.

    Uses Anki's own template renderer (cloze, FrontSide, filters). The note type's CSS is
    left out (it is the same for every card; see ``col.models.get(mid)["css"]``).
    """
    cards = sorted(col.get_note(note_id).cards(), key=lambda c: c.ord)
    return [(o.question_text, o.answer_text) for o in (c.render_output() for c in cards)]
