"""What parsing found: diagnostics every build reports, and lint notices only ``mlanki check`` shows.

A finding never stops parsing: every text gives a deck, and each problem becomes a diagnostic with
``file:line``. Lint rules that look at the raw source lines (math artefacts, delimiters) run here.
"""

from __future__ import annotations

from dataclasses import replace

from mlanki import check
from mlanki.chunks import Chunk
from mlanki.entries import ERROR, WARNING, Diagnostic, Location
from mlanki.parse.lines import lines_of
from mlanki.syntax import Token


class Findings:
    """The diagnostics and notices of one file; ``lines`` are its raw lines, kept only when linting."""

    def __init__(self, file: str, lint: bool) -> None:
        self.file = file
        self.lint = lint
        self.lines: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.notices: list[Diagnostic] = []

    def at(self, line: int) -> Location:
        return Location(self.file, line)

    def warn(self, line: int, message: str, code: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(self.at(line), WARNING, message, hint, code))

    def notice(self, line: int, message: str, code: str, col: int = 0, hint: str = "") -> None:
        """A finding only ``mlanki check`` shows: the deck is still right."""
        if self.lint:
            self.notices.append(Diagnostic(Location(self.file, line, col), WARNING, message, hint, code))

    def lint_lines(self, items: list, repaired: dict[int, set[str]] | None = None) -> None:
        """The line rules of ``check`` on every prose line of an entry; doubles already repaired are
        listed as repairs, not again as artefacts."""
        if not self.lint:
            return
        for line in lines_of(items):
            done = (repaired or {}).get(line.line, ())
            for number in range(line.line, line.line + line.wrapped + 1):  # a wrapped line is several
                raw = self.lines[number - 1] if 0 < number <= len(self.lines) else ""
                for col, code, message, hint in check.line_problems(raw):
                    if code == "math-artefact" and any(f"'{said}'" in message for said in done):
                        continue
                    self.notice(number, message, code, col, hint)

    def check_fences(self, tokens: list[Token], chunk: Chunk) -> None:
        """A fence never closed swallows the rest of the file into one code block."""
        lines = None
        for token in tokens:
            if token["type"] != "block_code" or token.get("style") != "fenced":
                continue
            lines = lines or chunk.text.split("\n")  # a fence cannot leave its chunk
            end = token["line"] + token["raw"].count("\n") + 1 - chunk.first_line  # the closing fence's line
            closing = lines[end].strip() if end < len(lines) else ""
            if not closing.startswith(token.get("marker", "```")[:3]):
                self.diagnostics.append(Diagnostic(Location(self.file, token["line"], 1), ERROR,
                                                   "code fence is never closed; the rest of the file became code",
                                                   "close it with " + token.get("marker", "```"), "fence"))


def by_place(diagnostic: Diagnostic) -> Location:
    return diagnostic.location


def moved_location(location: Location, shift: int, file: str | None = None) -> Location:
    """A cached place where its chunk is now: ``shift`` lines down, in ``file`` (the same file, as
    this build names it: another folder or checkout of the project)."""
    return replace(location, line=location.line + shift, file=location.file if file is None else file)


def moved(diagnostic: Diagnostic, shift: int, file: str | None = None) -> Diagnostic:
    return replace(diagnostic, location=moved_location(diagnostic.location, shift, file))
