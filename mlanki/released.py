"""Released packages as ground truth: what a published .apkg says about its notes.

Learners have what was released, not what the record says. So when the record is missing, lacks
notes, or is older than a package in the output folder, identity (GUIDs, note ids, mods, versions)
is recovered from the newest released package of the deck; ``--previous`` names one, which also
lets a deck made by another tool (genanki scripts, markdown-anki-decks, an Anki export with
"support older Anki versions") move to mlanki: its notes are matched to entries by question.
Only the standard library is used: a package is a zip holding a SQLite collection.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from mlanki.errors import MlankiError

_VERSION_IN_DESCRIPTION = re.compile(r"Version (\d+\.\d+\.\d+)")
_VERSION_IN_NAME = re.compile(r"-(\d+\.\d+\.\d+)\.apkg$")
_TAG = re.compile(r"<[^>]*>")
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.DOTALL)
MLANKI_NOTETYPES = {"mlanki Basic": "basic", "mlanki Cloze": "cloze"}


@dataclass(frozen=True)
class ReleasedNote:
    """One note of a package: its identity, note type and fields as Anki stores them."""

    guid: str
    id: int
    mod: int
    notetype: str
    is_cloze: bool
    notetype_id: int
    fields: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]

    @property
    def values(self) -> dict[str, str]:
        return dict(self.fields)

    @property
    def question_text(self) -> str:
        """The question as plain text, for matching: mlanki's Question (or a cloze's text), else field 1."""
        values = self.values
        if "mlanki::definition" in self.tags and values.get("Extra"):
            return html_to_text(values["Extra"].split("\n", 1)[0])
        first = values.get("Question", self.fields[0][1] if self.fields else "")
        return html_to_text(_CLOZE.sub(r"\1", first.split("\n", 1)[0] if "Question" in values else first))


@dataclass(frozen=True)
class ReleasedPackage:
    path: Path
    version: str | None
    deck: str          # the root deck's name
    deck_id: int       # the root deck's id (mlanki derives it from the deck's key)
    notes: tuple[ReleasedNote, ...]
    models: tuple[tuple[int, dict], ...] = ()  # note type id -> its JSON, as the package has it

    @property
    def by_mlanki(self) -> bool:
        return any(n.notetype in MLANKI_NOTETYPES for n in self.notes)


def html_to_text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def version_in_name(path: Path) -> str | None:
    m = _VERSION_IN_NAME.search(path.name)
    return m.group(1) if m else None


def read_package(path: Path) -> ReleasedPackage:
    """The notes of the package at ``path``; MlankiError when it is not a readable Anki package."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            member = next((n for n in ("collection.anki21", "collection.anki2") if n in names), None)
            if member is None or ("collection.anki21b" in names and member == "collection.anki2"
                                  and archive.getinfo(member).file_size < 100_000 and _is_stub(archive, member)):
                raise MlankiError(f"{path}: this package uses Anki's newer format; export it again from Anki with "
                                  "\"Support older Anki versions\" ticked")
            with tempfile.TemporaryDirectory(prefix="mlanki-previous-") as folder:
                db = Path(archive.extract(member, folder))
                return _read_collection(path, db)
    except (OSError, zipfile.BadZipFile, sqlite3.Error, KeyError, ValueError) as problem:
        raise MlankiError(f"{path}: not a readable Anki package ({problem})") from None


def _is_stub(archive: zipfile.ZipFile, member: str) -> bool:
    """Anki 23.10+ exports put a placeholder collection.anki2 beside the real collection.anki21b."""
    with tempfile.TemporaryDirectory(prefix="mlanki-previous-") as folder:
        db = Path(archive.extract(member, folder))
        conn = sqlite3.connect(db)
        try:
            return conn.execute("select count(*) from notes").fetchone()[0] <= 1
        finally:
            conn.close()


def _read_collection(path: Path, db: Path) -> ReleasedPackage:
    conn = sqlite3.connect(db)
    try:
        models_json, decks_json = conn.execute("select models, decks from col").fetchone()
        models = {int(k): v for k, v in json.loads(models_json).items()}
        decks = {int(k): v for k, v in json.loads(decks_json).items()}
        used = {did for (did,) in conn.execute("select distinct did from cards")}
        rows = conn.execute("select id, guid, mid, mod, tags, flds from notes order by id").fetchall()
    finally:
        conn.close()
    notes = []
    for note_id, guid, mid, mod, tags, flds in rows:
        model = models.get(mid, {})
        names = [f["name"] for f in model.get("flds", [])]
        values = flds.split("\x1f")
        names += [f"Field {i + 1}" for i in range(len(names), len(values))]
        notes.append(ReleasedNote(guid, note_id, mod, model.get("name", ""), model.get("type") == 1, mid,
                                  tuple(zip(names, values)), tuple(tags.split())))
    root_id, root = _root_deck(decks, used)
    description = root.get("desc", "") if root else ""
    found = _VERSION_IN_DESCRIPTION.search(description)
    version = found.group(1) if found else version_in_name(path)
    return ReleasedPackage(path, version, root.get("name", "") if root else "", root_id, tuple(notes),
                           tuple(sorted(models.items())))


def _root_deck(decks: dict[int, dict], used: set[int]) -> tuple[int, dict | None]:
    """The top-level deck the package's cards are in (not Anki's "Default")."""
    names = {did: d.get("name", "") for did, d in decks.items()}
    roots = sorted({names[did].split("::")[0] for did in used if did in names} - {"Default"})
    if not roots:
        return 0, None
    did = next(did for did, name in sorted(names.items()) if name == roots[0])
    return did, decks[did]


def find_released(output: Path, deck_id: int, names: set[str]) -> ReleasedPackage | None:
    """The newest package in ``output`` of the deck with this root deck id (or, for packages made before
    decks had keys, one of these names); None when there is none."""
    from mlanki.record_file import semver_key

    best = None
    for path in sorted(output.glob("*.apkg")) if output.is_dir() else []:
        try:
            package = read_package(path)
        except MlankiError:
            continue  # not ours, or damaged: it says nothing about this deck
        if not package.by_mlanki or (package.deck_id != deck_id and package.deck not in names):
            continue
        rank = (semver_key(package.version or ""), version_in_name(path) is not None)
        if best is None or rank > best[0]:
            best = (rank, package)
    return best[1] if best else None


def newer_in_output(output: Path, slugs: set[str], than: str | None) -> Path | None:
    """A versioned package ``<slug>-X.Y.Z.apkg`` newer than ``than``: the record is behind what was released."""
    from mlanki.record_file import semver_key

    found = [(semver_key(v), p) for slug in sorted(slugs) for p in output.glob(f"{slug}-*.apkg")
             if (v := version_in_name(p)) and p.name == f"{slug}-{v}.apkg"]
    newest = max(found, default=None)
    if newest and (than is None or newest[0] > semver_key(than)):
        return newest[1]
    return None
