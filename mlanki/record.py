"""The record file (``mlanki.lock``): what identity remembers between builds.

Committed next to the sources, it keeps per note its GUID, Anki note id, content hash, the
version in which it last changed and its mod time; per note type its id, fields and mod; per
deck (keyed by its source path, or an explicit id, never by its title) its name and version
history. It is JSON with one note per line, so a diff shows one line per changed note, a merge
conflict is a few whole lines, and no ID is ever written into the author's Markdown.
Reading, validating and merging the file is ``record_file``'s job.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


RECORD_NAME = "mlanki.lock"
FORMAT = 2
ACTIVE = "active"
RETIRED = "retired"


@dataclass
class RecordedNote:
    """One note as it was last released; ``deck`` is the deck's key, ``line`` where it stood then."""

    guid: str
    id: int
    deck: str
    kind: str
    role: str
    key: str
    question: str
    content: str
    answer: str
    version: str
    mod: int
    status: str = ACTIVE
    topic: str = ""
    after: str = ""
    explicit_id: str = ""
    line: int = 0


@dataclass
class RecordedNoteType:
    """A published note type: its fields may never change silently; ``look`` is templates + CSS."""

    id: int
    name: str
    fields: list[str]
    look: str
    mod: int
    raw: dict = field(default_factory=dict)  # another tool's note type, kept whole for its adopted notes


@dataclass
class RecordedDeck:
    """A deck as last built: its title, its source (relative to the record) and how many notes it had.

    ``notes`` lets a build notice lines lost from the record (a bad merge, a hand edit).
    """

    name: str
    path: str = ""
    notes: int = 0


@dataclass
class Release:
    """One version of one deck and what changed in it, for the changelog."""

    version: str
    date: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    name: str = ""       # the deck's title at this release
    moved: list[str] = field(default_factory=list)


@dataclass
class Record:
    notes: list[RecordedNote] = field(default_factory=list)
    notetypes: dict[str, RecordedNoteType] = field(default_factory=dict)
    releases: dict[str, list[Release]] = field(default_factory=dict)
    decks: dict[str, RecordedDeck] = field(default_factory=dict)
    repairs: list[str] = field(default_factory=list)  # what loading mended (told once, never saved)
    legacy: bool = False  # read from format 1, whose decks were keyed by their title

    def version_of(self, deck: str) -> str | None:
        history = self.releases.get(deck)
        return history[-1].version if history else None

    def notes_of(self, deck: str) -> list[RecordedNote]:
        return [n for n in self.notes if n.deck == deck]

    def rekey(self, old: str, new: str) -> None:
        """Deck ``old`` is now known as ``new`` (a moved source file, a title-keyed old record)."""
        for note in self.notes:
            if note.deck == old:
                note.deck = new
        if old in self.releases:
            self.releases[new] = self.releases.pop(old) + self.releases.get(new, [])
        if old in self.decks:
            self.decks.setdefault(new, self.decks.pop(old))

    # -- file ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> "Record":
        """The record at ``path``, or an empty one when there is none yet; MlankiError when damaged."""
        from mlanki.record_file import read_record

        return read_record(path)

    def dumps(self) -> str:
        notes = sorted(self.notes, key=lambda n: (n.deck, n.status, n.key, n.role, n.guid))
        dump = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
        lines = ["{", '"format": %d,' % FORMAT,
                 '"about": "mlanki record: keeps card identity and versions between builds. Commit it; do not edit by hand.",',
                 '"notetypes": ' + dump({k: asdict(v) for k, v in sorted(self.notetypes.items())}) + ",",
                 '"decks": {']
        lines.append(",\n".join(" " + dump(key) + ": " + dump(asdict(deck)) for key, deck in sorted(self.decks.items())))
        lines.append("},")
        lines.append('"releases": {')
        deck_lines = []
        for deck, history in sorted(self.releases.items()):
            rows = ",\n".join("  " + dump(asdict(r)) for r in history)
            deck_lines.append(" " + dump(deck) + ": [\n" + rows + "\n ]")
        lines.append(",\n".join(deck_lines))
        lines.append("},")
        lines.append('"notes": [')
        # vars(), not asdict(): notes hold only plain values, and asdict deep-copies (slow at 100k notes)
        lines.append(",\n".join(dump(vars(n)) for n in notes))
        lines.append("]")
        lines.append("}")
        return "\n".join(lines) + "\n"
