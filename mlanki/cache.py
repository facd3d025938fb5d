"""No-op rebuilds: ``build/.mlanki-cache.json`` remembers what the last build read and wrote.

When nothing a build depends on has changed (sources, images, record, settings, note types,
mlanki's code) and its outputs are still there, ``build`` returns at once. Inputs are compared by
size, then by hash (streamed: about 0.1 s for 60 MB); outputs, which only builds write, by size
and modification time. The cache lives in build/, which git ignores:
deleting it only costs one full build, which gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mlanki import code_fingerprint

CACHE_NAME = ".mlanki-cache.json"


def settings_key(*parts) -> str:
    """A hash of everything besides files that decides a build's output."""
    return hashlib.sha256(repr((code_fingerprint(),) + parts).encode()).hexdigest()


def _stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def load(output: Path) -> dict | None:
    try:
        return json.loads((output / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(cache: dict | None, key: str, inputs: list[Path], record: Path) -> bool:
    """True when the cached build read exactly these inputs with this key, and its outputs are intact.

    Inputs and the record are compared by content (a file rewritten within one clock tick keeps its
    time); a different size answers without reading. Outputs, which only builds write, by size and time.
    """
    if not cache or cache.get("key") != key or not _same(record, cache.get("record")):
        return False
    seen = cache.get("inputs", {})
    if sorted(seen) != sorted(str(p) for p in inputs):
        return False
    if not all(_same(path, seen[str(path)]) for path in inputs):
        return False
    return all(_stat(Path(p)) == st for p, st in cache.get("outputs", {}).items())


def _same(path: Path, size_time_sha) -> bool:
    now = _stat(path)
    if now is None or not size_time_sha:
        return now is None and not size_time_sha
    return now[0] == size_time_sha[0] and _digest(path) == size_time_sha[2]


def _fingerprint(path: Path) -> list | None:
    now = _stat(path)
    return None if now is None else now + [_digest(path)]


def save(output: Path, key: str, inputs: list[Path], record: Path, outputs: list[Path], summary: dict,
         write) -> None:
    """Remember this build; ``write(path, text)`` is the caller's atomic, write-if-changed writer."""
    cache = {
        "key": key,
        "inputs": {str(p): _fingerprint(p) for p in inputs},
        "record": _fingerprint(record),
        "outputs": {str(p): _stat(p) for p in outputs},
        **summary,
    }
    write(output / CACHE_NAME, json.dumps(cache, indent=1, sort_keys=True))
