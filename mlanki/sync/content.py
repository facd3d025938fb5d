"""What a built package says a deck should be: its notes, note types and media.

Sync reads the very ``.apkg`` that ``mlanki build`` wrote (plain sqlite and zip, standard library
only), so it never depends on how identities were chosen: the package's GUIDs are the contract.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from mlanki.errors import MlankiError

RETIRED_TAG = "mlanki::retired"
_CLOZE_MODEL = 1
_TAG_OR_MARKUP = re.compile(r"<[^>]*>|\{\{c\d+::|\}\}")


@dataclass(frozen=True)
class PackagedNote:
    """A note as the package holds it."""

    guid: str
    notetype: str
    fields: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    deck: str  # the deck of its cards
    retired: bool
    cards: tuple[tuple[int, int, int], ...] = ()  # (card id, template ordinal, due): ids and study order

    @property
    def label(self) -> str:
        """The first field as a learner reads it, short enough for one line of a plan."""
        text = " ".join(html.unescape(_TAG_OR_MARKUP.sub("", self.fields[0][1] if self.fields else "")).split())
        return text if len(text) <= 70 else text[:69] + "…"


@dataclass(frozen=True)
class PackagedNoteType:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (name, question format, answer format)
    css: str
    is_cloze: bool


@dataclass(frozen=True)
class PackageContents:
    """One deck's package, read back."""

    deck: str  # the top deck's name
    path: Path
    notes: tuple[PackagedNote, ...]
    notetypes: dict[str, PackagedNoteType]  # by name
    media: tuple[str, ...]  # names as they go into Anki's media folder
    descriptions: dict[str, str] = field(default_factory=dict)  # deck name -> description

    def media_data(self, name: str) -> bytes:
        with zipfile.ZipFile(self.path) as archive:
            index = {v: k for k, v in json.loads(archive.read("media")).items()}
            return archive.read(index[name])


def read_package(path: Path, deck: str) -> PackageContents:
    """The notes, note types and media of the .apkg at ``path`` whose top deck is ``deck``."""
    with tempfile.TemporaryDirectory(prefix="mlanki-sync-") as folder:
        db_path = _extract_collection(path, Path(folder))
        with zipfile.ZipFile(path) as archive:
            media = tuple(sorted(json.loads(archive.read("media")).values()))
        conn = sqlite3.connect(db_path)
        try:
            notetypes, notes, descriptions = _read_rows(conn)
        finally:
            conn.close()
    return PackageContents(deck, Path(path), notes, notetypes, media, descriptions)


def write_subset(contents: PackageContents, guids: set[str], destination: Path) -> Path:
    """A copy of the package holding only the notes with ``guids`` (and all note types and media).

    Both targets add notes by importing this: Anki's importer is the only documented way to give a
    new note the package's GUID and the package's note type ids, so later imports still match.
    """
    with tempfile.TemporaryDirectory(prefix="mlanki-sync-") as folder:
        db_path = _extract_collection(contents.path, Path(folder))
        conn = sqlite3.connect(db_path)
        try:
            keep = [nid for nid, guid in conn.execute("SELECT id, guid FROM notes") if guid in guids]
            conn.execute("CREATE TEMP TABLE keep(id INTEGER PRIMARY KEY)")
            conn.executemany("INSERT INTO keep VALUES (?)", [(nid,) for nid in keep])
            conn.execute("DELETE FROM cards WHERE nid NOT IN (SELECT id FROM keep)")
            conn.execute("DELETE FROM notes WHERE id NOT IN (SELECT id FROM keep)")
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(contents.path) as source, \
                zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as target:
            target.write(db_path, "collection.anki2")
            for name in source.namelist():
                if name != "collection.anki2":
                    target.writestr(name, source.read(name))
    return destination


def _extract_collection(path: Path, folder: Path) -> Path:
    try:
        with zipfile.ZipFile(path) as archive, archive.open("collection.anki2") as packed, \
                open(folder / "collection.anki2", "wb") as out:
            shutil.copyfileobj(packed, out)
    except (OSError, KeyError, zipfile.BadZipFile) as problem:
        raise MlankiError(f"{path}: not a readable mlanki package ({problem})") from None
    return folder / "collection.anki2"


def _read_rows(conn: sqlite3.Connection) -> tuple[dict[str, PackagedNoteType], tuple[PackagedNote, ...], dict]:
    (models_json, decks_json), = conn.execute("SELECT models, decks FROM col").fetchall()
    models = json.loads(models_json)
    decks = json.loads(decks_json)
    deck_names = {int(did): deck["name"] for did, deck in decks.items()}
    by_id = {int(mid): PackagedNoteType(
        id=int(mid), name=m["name"], fields=tuple(f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])),
        templates=tuple((t["name"], t["qfmt"], t["afmt"]) for t in sorted(m["tmpls"], key=lambda t: t["ord"])),
        css=m["css"], is_cloze=m.get("type") == _CLOZE_MODEL) for mid, m in models.items()}
    card_decks = dict(conn.execute("SELECT nid, min(did) FROM cards GROUP BY nid").fetchall())
    cards: dict[int, list[tuple[int, int, int]]] = {}
    for cid, nid, ord_, due in conn.execute("SELECT id, nid, ord, due FROM cards ORDER BY nid, ord"):
        cards.setdefault(nid, []).append((cid, ord_, due))
    notes = []
    # New cards are due in source order: plans list entries as the source has them.
    for nid, guid, mid, tags, flds in conn.execute(
            "SELECT n.id, n.guid, n.mid, n.tags, n.flds FROM notes n"
            " JOIN (SELECT nid, min(due) AS due FROM cards GROUP BY nid) c ON c.nid = n.id ORDER BY c.due, n.id"):
        notetype = by_id[mid]
        tag_list = tuple(tags.split())
        notes.append(PackagedNote(guid, notetype.name, tuple(zip(notetype.fields, flds.split("\x1f"))), tag_list,
                                  deck_names[card_decks[nid]], RETIRED_TAG in tag_list, tuple(cards[nid])))
    used = {n.notetype for n in notes}
    return ({nt.name: nt for nt in by_id.values() if nt.name in used}, tuple(notes),
            {deck["name"]: deck.get("desc", "") for deck in decks.values()})

