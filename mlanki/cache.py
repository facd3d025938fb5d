"""No-op rebuilds: ``build/.mlanki-cache.json`` remembers what the last build read and wrote.

When nothing a build depends on has changed (sources, images, record, settings, note types,
mlanki's code) and its outputs are still there, ``build`` returns at once. Inputs are compared by
size, then by hash (streamed: about 0.1 s for 60 MB); outputs, which only builds write, by size
and modification time. The cache lives in build/, which git ignores:
deleting it only costs one full build, which gives the same bytes. The file is plain JSON, checked
field by field on load; one that is damaged or not of this shape is ignored (with a note) and rebuilt.
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


def load(output: Path, notes: list[str]) -> dict | None:
    """The last build's cache, or None; a damaged or foreign-shaped one adds a note to ``notes``."""
    path = output / CACHE_NAME
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        data = json.loads(data.decode("utf-8"))
    except ValueError:  # not UTF-8, not JSON
        data = None
    if _valid(data):
        return data
    notes.append(ignored_note(path))
    return None


def ignored_note(path: Path) -> str:
    """What a build says when it set a cache aside (a note, not a warning: nothing is wrong with the sources)."""
    return f"{path}: the build cache is damaged or was written by other software; it was ignored and rebuilt"


def _valid(data) -> bool:
    """True when ``data`` has exactly the shape ``dumps`` writes (types checked, not trusted)."""
    def stamps(value, length):
        return value is None or (isinstance(value, list) and len(value) == length
                                 and all(isinstance(v, int) for v in value[:2])
                                 and all(isinstance(v, str) for v in value[2:]))

    def text_keys(value, check):
        return isinstance(value, dict) and all(isinstance(k, str) and check(v) for k, v in value.items())

    try:
        return (isinstance(data, dict) and isinstance(data["key"], str)
                and text_keys(data["inputs"], lambda v: stamps(v, 3)) and stamps(data["record"], 3)
                and text_keys(data["outputs"], lambda v: stamps(v, 2))
                and isinstance(data["decks"], list) and all(_valid_deck(d) for d in data["decks"])
                and all(isinstance(data[part], list) and all(_valid_diagnostic(d) for d in data[part])
                        for part in ("diagnostics", "lint")))
    except (KeyError, TypeError):
        return False


def _valid_deck(deck) -> bool:
    """A deck of the summary: names and paths as text, counts as [topic, [[kind, number], ...]] pairs."""
    def pair(value, second) -> bool:
        return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and second(value[1])

    def kinds(value) -> bool:
        return isinstance(value, list) and all(pair(k, lambda n: isinstance(n, int)) for k in value)

    return (isinstance(deck, dict) and all(isinstance(deck.get(k), str) for k in ("name", "version", "package", "latest"))
            and isinstance(deck.get("counts"), list) and all(pair(c, kinds) for c in deck["counts"]))


def _valid_diagnostic(diagnostic) -> bool:
    location = diagnostic.get("location") if isinstance(diagnostic, dict) else None
    return (isinstance(location, list) and len(location) == 3 and isinstance(location[0], str)
            and all(isinstance(v, int) for v in location[1:])
            and all(isinstance(diagnostic.get(k), str) for k in ("level", "message", "hint", "code")))


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


def dumps(key: str, inputs: list[Path], record: Path, outputs: dict[str, Path], summary: dict) -> bytes:
    """This build, remembered: ``record`` and the values of ``outputs`` are where those files are now
    (staged copies keep their size and time when they are renamed into place)."""
    cache = {
        "key": key,
        "inputs": {str(p): _fingerprint(p) for p in inputs},
        "record": _fingerprint(record),
        "outputs": {name: _stat(now) for name, now in outputs.items()},
        **summary,
    }
    return json.dumps(cache, indent=1, sort_keys=True).encode("utf-8")
