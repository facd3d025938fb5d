"""Read step: find the Markdown sources and read them as text, refusing what is not text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlanki.entries import ERROR, Diagnostic, Location

SUFFIXES = (".md", ".markdown")
MAX_BYTES = 64 * 1024 * 1024


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
    return SourceFile(path, text)


def _refused(path: Path, display: str, line: int, message: str) -> SourceFile:
    return SourceFile(path, "", Diagnostic(Location(display, line), ERROR, message, code="unreadable"))
