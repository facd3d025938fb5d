"""Read step: find the Markdown sources and read them as text, refusing what is not text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mlanki.entries import ERROR, Diagnostic, Location

SUFFIXES = (".md", ".markdown")
MAX_BYTES = 64 * 1024 * 1024
# C0 control characters other than tab, newline and carriage return: Anki cannot keep them in a note
# (U+001F separates its fields), and no editor shows them.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class SourceFile:
    """One Markdown file: its path and text, or the problem that kept it from being read."""

    path: Path
    text: str
    problem: Diagnostic | None = None


def display_path(path: Path) -> str:
    """How messages name a file: relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def find_sources(source: Path) -> list[Path]:
    """The Markdown files of ``source`` (a file, or a folder searched recursively), sorted."""
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise FileNotFoundError(str(source))
    return sorted(p for p in source.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(source).parts))


def read_source(path: Path, display: str) -> SourceFile:
    """Read ``path`` as UTF-8 Markdown; binary, oversized or mis-encoded files become a diagnostic."""
    try:
        data = path.read_bytes()
    except OSError as problem:
        return _refused(path, display, 1, f"cannot read: {problem.strerror or problem}")
    if len(data) > MAX_BYTES:
        return _refused(path, display, 1, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it")
    if b"\x00" in data:
        return _refused(path, display, data[: data.index(b"\x00")].count(b"\n") + 1,
                        "this looks like a binary file, not Markdown (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        return _refused(path, display, line, f"not UTF-8 text (byte 0x{data[problem.start]:02x}); save the file as UTF-8")
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - text.rfind("\n", 0, control.start())
        return _refused(path, display, line, control_message(control.group()), column)
    return SourceFile(path, text)


def control_message(char: str) -> str:
    """Why a control character (or a lone surrogate) cannot go into a deck, and what to do."""
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"U+{ord(char):04X} is half of a UTF-16 pair, not a character; remove it"
    why = "Anki separates a note's fields with it" if char == "\x1f" else "Anki cannot keep it in a note"
    return f"control character U+{ord(char):04X} is not allowed: {why}; remove it"


def find_unstorable(text: str) -> re.Match | None:
    """The first control character or lone surrogate in ``text`` (settings and titles from YAML)."""
    return _UNSTORABLE.search(text)


_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _refused(path: Path, display: str, line: int, message: str, column: int = 0) -> SourceFile:
    return SourceFile(path, "", Diagnostic(Location(display, line, column), ERROR, message, code="unreadable"))
