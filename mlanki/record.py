"""The record file (``source/mlanki.lock``): what identity remembers between builds.

Committed next to the sources, it keeps per note its GUID, Anki note id, content hash, the
version in which it last changed and its mod time; per note type its id, fields and mod; per
deck its version history. It is JSON with one note per line, so a diff shows one line per
changed note and no ID is ever written into the author's Markdown.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from mlanki.errors import MlankiError

RECORD_NAME = "mlanki.lock"
FORMAT = 1
ACTIVE = "active"
RETIRED = "retired"


@dataclass
class RecordedNote:
    """One note as it was last released."""

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


@dataclass
class RecordedNoteType:
    """A published note type: its fields may never change silently; ``look`` is templates + CSS."""

    id: int
    name: str
    fields: list[str]
    look: str
    mod: int


@dataclass
class Release:
    """One version of one deck and what changed in it, for the changelog."""

    version: str
    date: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Record:
    notes: list[RecordedNote] = field(default_factory=list)
    notetypes: dict[str, RecordedNoteType] = field(default_factory=dict)
    releases: dict[str, list[Release]] = field(default_factory=dict)

    def version_of(self, deck: str) -> str | None:
        history = self.releases.get(deck)
        return history[-1].version if history else None

    # -- file ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> "Record":
        """The record at ``path``, or an empty one when there is none yet."""
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            return cls(
                notes=[_note(n) for n in data.get("notes", [])],
                notetypes={k: RecordedNoteType(**_known(RecordedNoteType, v)) for k, v in data.get("notetypes", {}).items()},
                releases={d: [Release(**_known(Release, r)) for r in rs] for d, rs in data.get("releases", {}).items()},
            )
        except (OSError, ValueError, TypeError, AttributeError) as problem:
            raise MlankiError(f"{path}:1: the record file cannot be read ({problem}); restore it from version "
                              "control, it keeps your cards' identity") from None

    def dumps(self) -> str:
        notes = sorted(self.notes, key=lambda n: (n.deck, n.status, n.key, n.role, n.guid))
        lines = ["{", '"format": %d,' % FORMAT,
                 '"about": "mlanki record: keeps card identity and versions between builds. Commit it; do not edit by hand.",',
                 '"notetypes": ' + json.dumps({k: asdict(v) for k, v in sorted(self.notetypes.items())},
                                               ensure_ascii=False, sort_keys=True) + ",",
                 '"releases": {']
        deck_lines = []
        for deck, history in sorted(self.releases.items()):
            rows = ",\n".join("  " + json.dumps(asdict(r), ensure_ascii=False, sort_keys=True) for r in history)
            deck_lines.append(" " + json.dumps(deck, ensure_ascii=False) + ": [\n" + rows + "\n ]")
        lines.append(",\n".join(deck_lines))
        lines.append("},")
        lines.append('"notes": [')
        # vars(), not asdict(): notes hold only plain values, and asdict deep-copies (slow at 100k notes);
        # one encoder for all, since json.dumps with options builds a new one per call
        encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
        lines.append(",\n".join(encode(vars(n)) for n in notes))
        lines.append("]")
        lines.append("}")
        return "\n".join(lines) + "\n"


_NOTE_FIELDS = frozenset(f.name for f in fields(RecordedNote))


def _note(data: dict) -> RecordedNote:
    return RecordedNote(**(data if data.keys() <= _NOTE_FIELDS else _known(RecordedNote, data)))


def _known(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, data) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it: never half a file.

    ``data`` is bytes, or a function that writes to the open file (large outputs, written as made).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as problem:
        raise MlankiError(f"{path.parent}: cannot write here ({problem.strerror or problem})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as problem:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(problem, OSError):
            raise MlankiError(f"{path}: cannot write ({problem.strerror or problem})") from None
        raise
