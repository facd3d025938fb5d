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
from pathlib import Path

from mlanki import code_fingerprint

CACHE_NAME = ".mlanki-entries.pickle"
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Chunk:
    first_line: int
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def split_chunks(text: str) -> list[Chunk]:
    """``text`` cut before every ATX heading line (up to 3 spaces in) outside a code fence."""
    lines = text.split("\n")
    chunks, start, fence = [], 0, ""
    for number, line in enumerate(lines):
        if fence:
            if line.lstrip(" ").startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
        elif _HEADING.match(line) and number > start:
            chunks.append(Chunk(start + 1, "\n".join(lines[start:number]) + "\n"))
            start = number
    chunks.append(Chunk(start + 1, "\n".join(lines[start:]) + ("\n" if not text.endswith("\n") else "")))
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
        digest = hashlib.sha256(code_fingerprint().encode())
        for part in parts:
            digest.update(b"\0" + part.encode("utf-8"))
        return digest.hexdigest()

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
