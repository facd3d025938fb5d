"""A source split at its headings, so a rebuild re-parses only the chunks that changed.

Every build parses a file chunk by chunk (a chunk runs from one ATX heading line to the
next, fences respected), so a full build and an incremental one read the same Markdown the same
way. ``EntryCache`` keeps, per chunk, what parsing it gave: its heading, the evidence for style
detection, and the finished entry with its diagnostics, under a hash of everything the result
depends on. It lives in the build folder; deleting it costs only time.

The cache is plain JSON, one item a line (an output folder may be shared or downloaded: reading it
must never run code), each item checked value by value when it is used. A damaged or foreign one is ignored, with a note, and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from mlanki import code_fingerprint

CACHE_NAME = ".mlanki-entries.jsonl"
FORMAT = 2  # 2: one item a line, decoded on use
# Lines that matter for cutting: ATX headings, and fences (a heading inside a fence is code).
_MARKER = re.compile(r"^ {0,3}(?:(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)|#{1,6}(?=[ \t\n]|$))", re.MULTILINE)


@dataclass(frozen=True)
class Chunk:
    first_line: int
    text: str

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def split_chunks(text: str) -> list[Chunk]:
    """``text`` cut before every ATX heading line (up to 3 spaces in) outside a code fence."""
    chunks, start, start_line, line, scanned, fence = [], 0, 1, 1, 0, ""
    for m in _MARKER.finditer(text):
        line += text.count("\n", scanned, m.start())
        scanned = m.start()
        marker = m.group("fence")
        if fence:
            if marker and marker[0] == fence[0] and len(marker) >= len(fence) and not m.group("info").strip():
                fence = ""
        elif marker:
            fence = marker
        elif m.start() > start:
            chunks.append(Chunk(start_line, text[start:m.start()]))
            start, start_line = m.start(), line
    chunks.append(Chunk(start_line, text[start:] if text.endswith("\n") else text[start:] + "\n"))
    return chunks


@dataclass
class EntryCache:
    """Parse results by content hash; ``used`` collects what this build touched, so stale ones go.

    On disk one line per item (``key<TAB>JSON``): an item is decoded only when a build asks for it,
    and one this build did not change is written back as the very text it was read as.
    """

    items: dict[str, object] = field(default_factory=dict)
    used: dict[str, object] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # key -> JSON text as read, not yet decoded
    notes: list = field(default_factory=list)  # where a damaged item is reported
    path: Path | None = None
    damaged: bool = False  # an item failed its check: noted once, and rebuilt like any miss

    def get(self, key: str):
        value = self.items.get(key)
        if value is None and key in self.raw:
            value = self._decoded(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value) -> None:
        self.raw.pop(key, None)
        self.items[key] = self.used[key] = value

    def _decoded(self, key: str):
        try:
            value = _decode(json.loads(self.raw[key]))
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            del self.raw[key]
            if self.path is not None and not self.damaged:
                from mlanki.cache import ignored_note

                self.damaged = True
                self.notes.append(ignored_note(self.path))
            return None
        self.items[key] = value
        return value

    @staticmethod
    def key(*parts: str) -> str:
        """A key for ``parts`` (short strings: pass a chunk's digest, not its text)."""
        return hashlib.sha256("\0".join((code_fingerprint(), *parts)).encode("utf-8")).hexdigest()

    @classmethod
    def load(cls, folder: Path, notes: list) -> "EntryCache":
        """The cache in ``folder``; a missing one is empty, a damaged or foreign one too, with a note."""
        path = folder / CACHE_NAME
        try:
            text = path.read_bytes()
        except OSError:
            return cls(notes=notes, path=path)
        try:
            header, *lines = text.decode("utf-8").split("\n")
            data = json.loads(header)
            if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("code") != code_fingerprint():
                raise ValueError("not this mlanki's cache")
            raw = dict(line.split("\t", 1) for line in lines if line)
        except (ValueError, TypeError, AttributeError, RecursionError):
            from mlanki.cache import ignored_note

            notes.append(ignored_note(path))
            return cls(notes=notes, path=path)
        return cls(raw=raw, notes=notes, path=path)

    def dumps(self) -> bytes:
        """What this build used, one item a line (the caller stages and publishes it)."""
        header = json.dumps({"format": FORMAT, "code": code_fingerprint()}, separators=(",", ":"))
        lines = [header] + [f"{key}\t{self.raw.get(key) or _dumps(_encode(value))}"
                            for key, value in sorted(self.used.items())]
        return ("\n".join(lines) + "\n").encode("utf-8")


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# -- JSON form of the two kinds of values ``parse`` keeps: a chunk's style evidence, its entry -----------
def _encode(value) -> dict:
    from mlanki.styles import Evidence

    first_line, payload, *rest = value
    if isinstance(payload, Evidence):
        return {"line": first_line, "evidence": {"headings": list(payload.headings), "bold": payload.bold,
                                                 "listed": payload.listed}}
    diagnostics, media, notices, (label, cloze_count, leftover) = rest
    return {"line": first_line, "entry": None if payload is None else _entry_data(payload),
            "diagnostics": [_diagnostic_data(d) for d in diagnostics],
            "media": {name: list(stamp) for name, stamp in media.items()},
            "notices": [_diagnostic_data(d) for d in notices],
            "carried": [label, cloze_count, list(leftover)]}


def _decode(data: dict) -> tuple:
    """A value as ``parse`` put it, from JSON that is checked, not trusted; ValueError when wrong."""
    from mlanki.styles import Evidence

    line = _typed(data["line"], int)
    if "evidence" in data:
        found = data["evidence"]
        headings = tuple(_heading(h) for h in _typed(found["headings"], list))
        return line, Evidence(headings, _typed(found["bold"], int), _typed(found["listed"], int))
    entry = None if data["entry"] is None else _entry(data["entry"])
    diagnostics = [_diagnostic(d) for d in _typed(data["diagnostics"], list)]
    media = {_typed(name, str): _stamp(stamp) for name, stamp in _typed(data["media"], dict).items()}
    notices = [_diagnostic(d) for d in _typed(data["notices"], list)]
    label, cloze_count, leftover = _typed(data["carried"], list)
    if type(label) is not str or type(cloze_count) is not int or not all(type(m) is str for m in _typed(leftover, list)):
        raise ValueError("what an entry hands on should be [label, cloze count, [image names]]")
    return line, entry, diagnostics, media, notices, (label, cloze_count, tuple(leftover))


_TUPLE_FIELDS = ("options", "options_md", "media")


@functools.cache
def _text_fields() -> tuple[str, ...]:
    """Every text field of an entry: a field added to ``Entry`` is cached without another edit here."""
    from dataclasses import fields

    from mlanki.entries import Entry

    return tuple(f.name for f in fields(Entry) if f.name not in _TUPLE_FIELDS + ("location", "correct"))


def _entry_data(entry) -> dict:
    data = {name: getattr(entry, name) for name in _text_fields()}
    data.update({name: list(getattr(entry, name)) for name in _TUPLE_FIELDS})
    data.update(location=_location_data(entry.location), correct=entry.correct)
    return data


def _entry(data: dict):
    from mlanki.entries import Entry

    texts = {name: data[name] for name in _text_fields()}
    tuples = {name: tuple(data[name]) for name in _TUPLE_FIELDS if type(data[name]) is list}
    if not all(type(v) is str for v in texts.values()) or len(tuples) != len(_TUPLE_FIELDS) or \
            not all(type(v) is str for values in tuples.values() for v in values):
        raise ValueError("an entry's text should be strings")
    correct = data["correct"]
    return Entry(**texts, **tuples, location=_location(data["location"]),
                 correct=None if correct is None else _typed(correct, int))


def _diagnostic_data(diagnostic) -> dict:
    return {"location": _location_data(diagnostic.location), "level": diagnostic.level,
            "message": diagnostic.message, "hint": diagnostic.hint, "code": diagnostic.code}


def _diagnostic(data: dict):
    from mlanki.entries import Diagnostic

    return Diagnostic(_location(data["location"]), *(_typed(data[k], str) for k in ("level", "message", "hint", "code")))


def _location_data(location) -> list:
    return [location.file, location.line, location.col]


def _location(data):
    from mlanki.entries import Location

    file, line, col = _typed(data, list)
    if type(file) is not str or type(line) is not int or type(col) is not int:
        raise ValueError("a location is [file, line, column]")
    return Location(file, line, col)


def _stamp(data) -> tuple[str, int, int]:
    """Where a packaged image came from: a path inside the source folder, never one that leaves it."""
    relative, size, mtime = _typed(data, list)
    path = Path(_typed(relative, str))
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"image path {relative!r} leaves the source folder")
    return str(path), _typed(size, int), _typed(mtime, int)


def _heading(token) -> dict:
    if not (isinstance(token, dict) and token.get("type") == "heading" and isinstance(token.get("line"), int)
            and isinstance(token.get("attrs"), dict) and isinstance(token["attrs"].get("level"), int)
            and isinstance(token.get("children"), list)):
        raise ValueError("not a heading token")
    return token


def _typed(value, kind):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value
