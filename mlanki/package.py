"""Deterministic .apkg writing on top of genanki, replaced atomically.

genanki stamps every note, card and note type with one timestamp and zips with the wall clock.
Here each note carries its own id and mod (from the record), card ids are note id + ord, note
types carry their recorded mod, and the zip has fixed entry times and sorted names: the same
plan always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki

from mlanki.errors import MlankiError
from mlanki.identity import NOTE_ID_STRIDE, PlannedNote
from mlanki.notetypes import NoteType
from mlanki.progress import Progress, no_progress

# genanki fills collection-level stamps from this; it never reaches notes or note types.
COLLECTION_STAMP = 1_600_000_000
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackageContent:
    """Everything one .apkg holds."""

    deck: str
    description: str
    notetypes: tuple[tuple[NoteType, int, int], ...]  # note type, id, mod
    notes: tuple[PlannedNote, ...]
    media: tuple[tuple[str, Path], ...] = ()


class _RecordedModel(genanki.Model):
    """A genanki model whose mod is the recorded one, so Anki updates templates only when they change."""

    def __init__(self, notetype: NoteType, model_id: int, mod: int) -> None:
        template = {"name": "Cloze" if notetype.is_cloze else "Card 1", "qfmt": notetype.front, "afmt": notetype.back}
        super().__init__(model_id=model_id, name=notetype.name, fields=[{"name": f} for f in notetype.fields],
                         templates=[template], css=notetype.css,
                         model_type=genanki.Model.CLOZE if notetype.is_cloze else genanki.Model.FRONT_BACK,
                         sort_field_index=notetype.sort_field)
        self.mod = mod

    def to_json(self, timestamp, deck_id):
        data = super().to_json(timestamp, deck_id)
        data["mod"] = self.mod
        return data


def deck_id(name: str) -> int:
    """A deck's id from its name (Anki matches decks by name; the id only has to be stable)."""
    return (1 << 30) + int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16) % (1 << 30)


def package_bytes(content: PackageContent, progress: Progress = no_progress) -> bytes:
    """The .apkg file for ``content`` as bytes."""
    fd, db_path = tempfile.mkstemp(suffix=".anki2")
    os.close(fd)
    try:
        _write_collection(db_path, content, progress)
        return _zip(Path(db_path), content.media)
    except sqlite3.Error as problem:
        raise MlankiError(f"cannot write the Anki collection for '{content.deck}': {problem}") from None
    finally:
        Path(db_path).unlink(missing_ok=True)


def _write_collection(db_path: str, content: PackageContent, progress: Progress) -> None:
    models = {nt.kind: _RecordedModel(nt, model_id, mod) for nt, model_id, mod in content.notetypes}
    deck_names = sorted({content.deck} | {n.deck for n in content.notes})
    decks = {name: genanki.Deck(deck_id(name), name, content.description if name == content.deck else "")
             for name in deck_names}
    root = decks[content.deck]
    for model in models.values():
        root.add_model(model)
    conn = sqlite3.connect(db_path)
    try:
        cursor = conn.cursor()
        genanki.Package(list(decks.values())).write_to_db(cursor, COLLECTION_STAMP, iter(()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # genanki's HTML heuristics; our fields are rendered HTML
            total = len(content.notes)
            for position, planned in enumerate(content.notes):
                _write_note(cursor, planned, models[planned.kind], decks[planned.deck].deck_id, position)
                if position % 1000 == 0:
                    progress("writing", position, total)
        conn.commit()
    finally:
        conn.close()


def _write_note(cursor, planned: PlannedNote, model: genanki.Model, target_deck: int, position: int) -> None:
    values = dict(planned.fields)
    note = genanki.Note(model=model, fields=[values.get(f["name"], "") for f in model.fields], tags=list(planned.tags),
                        guid=planned.guid, due=position)
    cards = note.cards
    if not cards:
        raise MlankiError(f"note '{planned.fields[0][1][:60]}' would have no card (a cloze note needs a deletion)")
    if max(card.ord for card in cards) >= NOTE_ID_STRIDE:
        raise MlankiError(f"note '{planned.fields[0][1][:60]}' has more than {NOTE_ID_STRIDE} cloze deletions")
    for card in cards:
        card.suspend = planned.retired
    ids = iter([planned.note_id] + [planned.note_id + card.ord for card in cards])
    note.write_to_db(cursor, planned.mod, target_deck, ids)


def _zip(db_path: Path, media: tuple[tuple[str, Path], ...]) -> bytes:
    import io

    buffer = io.BytesIO()
    ordered = sorted(media)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "collection.anki2", db_path.read_bytes())
        _add(archive, "media", json.dumps({str(i): name for i, (name, _p) in enumerate(ordered)}).encode())
        for index, (_name, file) in enumerate(ordered):
            _add(archive, str(index), file.read_bytes())
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
