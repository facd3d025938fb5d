"""A source split at its headings, so a rebuild re-parses only the chunks that changed.

Every build parses a file chunk by chunk (a chunk runs from one ATX heading line to the
next, fences respected), so a full build and an incremental one read the same Markdown the same
way. ``EntryCache`` keeps, per chunk, what parsing it gave: its heading, the evidence for style
detection, and the finished entry with its diagnostics, under a hash of everything the result
depends on. It lives in the build folder; deleting it costs only time.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from mlanki import code_fingerprint

CACHE_NAME = ".mlanki-entries.pickle"
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
    """Parse results by content hash; ``used`` collects what this build touched, so stale ones go."""

    items: dict[str, object] = field(default_factory=dict)
    used: dict[str, object] = field(default_factory=dict)

    def get(self, key: str):
        value = self.items.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str, value) -> None:
        self.items[key] = self.used[key] = value

    @staticmethod
    def key(*parts: str) -> str:
        """A key for ``parts`` (short strings: pass a chunk's digest, not its text)."""
        return hashlib.sha256("\0".join((code_fingerprint(), *parts)).encode("utf-8")).hexdigest()

    @classmethod
    def load(cls, folder: Path) -> "EntryCache":
        try:
            with open(folder / CACHE_NAME, "rb") as handle:
                items = pickle.load(handle)
            return cls(items if isinstance(items, dict) else {})
        except Exception:  # a missing, old or damaged cache is only a slower build
            return cls()

    def save(self, folder: Path, write) -> None:
        """Keep what this build used; ``write(path, data)`` is the caller's atomic writer."""
        write(folder / CACHE_NAME, lambda handle: pickle.dump(self.used, handle, protocol=pickle.HIGHEST_PROTOCOL))
