"""Deterministic .apkg writing on top of genanki, replaced atomically.

genanki stamps every note, card and note type with one timestamp and zips with the wall clock.
Here each note carries its own id and mod (from the record), card ids are note id + ord, note
types carry their recorded mod, and the zip has fixed entry times and sorted names: the same
plan always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from mlanki.check import cloze_cards
from mlanki.errors import MlankiError
from mlanki.identity import NOTE_ID_STRIDE, PlannedNote
from mlanki.notetypes import NoteType
from mlanki.progress import Progress, no_progress

# genanki fills collection-level stamps from this; it never reaches notes or note types.
COLLECTION_STAMP = 1_600_000_000
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ZIP_LEVEL = 1  # a third of the time of the default level, for a file about a tenth larger


@dataclass(frozen=True)
class PackageContent:
    """Everything one .apkg holds."""

    deck: str
    description: str
    notetypes: tuple[tuple[NoteType, int, int], ...]  # note type, id, mod
    notes: tuple[PlannedNote, ...]
    media: tuple[tuple[str, Path], ...] = ()
    deck_key: str = ""  # what identifies the deck (its source path or explicit id); ids derive from it
    foreign_models: tuple[tuple[str, dict], ...] = ()  # adopted notes' note types (kind, Anki's JSON)


class _AdoptedModel:
    """Another tool's note type, written back exactly as its package had it (same id, fields, mod)."""

    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.model_id = int(raw["id"])
        self.fields = raw.get("flds", [])
        self.model_type = genanki.Model.CLOZE if raw.get("type") == 1 else genanki.Model.FRONT_BACK
        self.sort_field_index = int(raw.get("sortf", 0))

    def to_json(self, timestamp, deck_id):
        return self.raw


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


def deck_id(key: str) -> int:
    """A deck's id from its key, not its title: stable across renames, so a released package can be
    told apart by it (Anki itself matches decks by name)."""
    return (1 << 30) + int(hashlib.sha256(key.encode("utf-8", "backslashreplace")).hexdigest(), 16) % (1 << 30)


def _deck_ids(content: PackageContent, names: list[str]) -> dict[str, int]:
    """Root deck and subdecks: the key, then the subdeck path below the root (``key::Topic``)."""
    if not content.deck_key:
        return {name: deck_id(name) for name in names}
    return {name: deck_id(content.deck_key + name[len(content.deck):]) for name in names}


def package_bytes(content: PackageContent, progress: Progress = no_progress, folder: Path | None = None) -> bytes:
    """The .apkg file for ``content`` as bytes.

    The collection is written to a temporary file in ``folder`` (a build's staging folder, which the
    next build clears if this one is killed), not the system's temporary folder.
    """
    try:
        fd, db_path = tempfile.mkstemp(suffix=".anki2", dir=folder)
        os.close(fd)
    except OSError as problem:
        raise MlankiError(f"{folder or tempfile.gettempdir()}: cannot write ({problem.strerror or problem})") from None
    try:
        _write_collection(db_path, content, progress)
        return _zip(Path(db_path), content.media)
    except sqlite3.Error as problem:
        raise MlankiError(f"{folder or tempfile.gettempdir()}: cannot write the Anki collection for "
                          f"'{content.deck}': {problem}") from None
    except OSError as problem:
        raise MlankiError(f"cannot package '{content.deck}': {problem.strerror or problem}"
                          + (f" ({problem.filename})" if problem.filename else "")) from None
    finally:
        Path(db_path).unlink(missing_ok=True)


def _write_collection(db_path: str, content: PackageContent, progress: Progress) -> None:
    models = {nt.kind: _RecordedModel(nt, model_id, mod) for nt, model_id, mod in content.notetypes}
    models.update((kind, _AdoptedModel(raw)) for kind, raw in content.foreign_models)
    deck_names = sorted({content.deck} | {n.deck for n in content.notes})
    ids = _deck_ids(content, deck_names)
    decks = {name: genanki.Deck(ids[name], name, content.description if name == content.deck else "")
             for name in deck_names}
    root = decks[content.deck]
    conn = sqlite3.connect(db_path)
    try:
        cursor = conn.cursor()
        # A scratch file that is zipped once written: no journal, no syncs (the bytes are the same).
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        # One JSON update for all decks and note types (genanki's Deck.write_to_db rewrites both
        # per deck, which is quadratic in the number of topics).
        (decks_json,), = cursor.execute("SELECT decks FROM col").fetchall()
        (models_json,), = cursor.execute("SELECT models FROM col").fetchall()
        all_decks = json.loads(decks_json)
        all_decks.update({str(d.deck_id): d.to_json() for d in decks.values()})
        all_models = json.loads(models_json)
        all_models.update({str(m.model_id): m.to_json(COLLECTION_STAMP, root.deck_id) for m in models.values()})
        cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(all_decks), json.dumps(all_models)))
        notes, cards = [], []
        total = len(content.notes)
        for position, planned in enumerate(content.notes):
            note, note_cards = _rows(planned, models[planned.kind], decks[planned.deck].deck_id, position)
            notes.append(note)
            cards.extend(note_cards)
            if position % 5000 == 0:
                progress("writing", position, total)
        cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", notes)
        cursor.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
        conn.commit()
    finally:
        conn.close()


def _rows(planned: PlannedNote, model: "_RecordedModel", target_deck: int, position: int) -> tuple[tuple, list]:
    """The notes row and cards rows of one note, as genanki's Note and Card would write them,
    but with the note's own id and mod, card ids = note id + ord, and retired cards suspended."""
    values = dict(planned.fields)
    fields = [values.get(f["name"], "") for f in model.fields]
    ords = _card_ords(model, fields)
    label = fields[0][:60]
    if not ords:
        raise MlankiError(f"note '{label}' would have no card (a cloze note needs a deletion)")
    if max(ords) >= NOTE_ID_STRIDE:
        raise MlankiError(f"note '{label}' has more than {NOTE_ID_STRIDE} cloze deletions")
    tags = " " + " ".join(planned.tags) + " "
    note = (planned.note_id, planned.guid, model.model_id, planned.mod, -1, tags, "\x1f".join(fields),
            fields[model.sort_field_index], 0, 0, "")
    queue = -1 if planned.retired else 0
    cards = [(planned.note_id + ord_, planned.note_id, target_deck, ord_, planned.mod, -1, 0, queue, position,
              0, 0, 0, 0, 0, 0, 0, 0, "") for ord_ in ords]
    return note, cards


def _card_ords(model: "_RecordedModel", fields: list[str]) -> list[int]:
    """Which cards a note has: a cloze note one per distinct {{cN::}}, a basic note one when its front
    has content (our front template needs only the question)."""
    if model.model_type == genanki.Model.CLOZE:
        return cloze_cards(fields[0])
    return [0] if fields[0].strip() else []


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
    archive.writestr(info, data, compresslevel=_ZIP_LEVEL)
