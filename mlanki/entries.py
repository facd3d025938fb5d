"""Plain frozen data shared by every step: where things are, what an entry holds, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; ``col`` is 0 when only the line is known."""

    file: str
    line: int
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.col else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about the sources, printed as ``file:line: level: message``."""

    location: Location
    level: str
    message: str
    hint: str = ""
    code: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.level}: {self.message}"

    def as_check_line(self) -> str:
        """``file:line:col: level: message`` (column 1 when only the line is known), then the hint."""
        where = Location(self.location.file, self.location.line, self.location.col or 1)
        text = f"{where}: {self.level}: {self.message}"
        return text + (f"\n    hint: {self.hint}" if self.hint else "")

    def as_dict(self) -> dict:
        return {"file": self.location.file, "line": self.location.line, "col": self.location.col or 1,
                "level": self.level, "code": self.code, "message": self.message, "hint": self.hint}

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


@dataclass(frozen=True)
class Entry:
    """One question of the source with its answer, as card HTML.

    ``options`` are the multiple-choice options in source order (HTML, labels removed) and
    ``correct`` the 0-based index of the stated correct one. ``cloze`` holds the text of an entry
    written with explicit cloze markup (it becomes a cloze note instead of a basic one);
    ``definition`` the cloze text made from a "What is X?" entry (an extra note beside the basic one).
    The ``*_md`` fields hold the same parts as the author's Markdown, for exporters other than Anki.
    """

    question: str
    question_text: str
    answer: str
    explanation: str
    topic: str
    location: Location
    options: tuple[str, ...] = ()
    correct: int | None = None
    cloze: str = ""
    definition: str = ""
    explicit_id: str = ""
    media: tuple[str, ...] = ()
    question_md: str = ""
    options_md: tuple[str, ...] = ()
    answer_md: str = ""
    explanation_md: str = ""
    definition_context: str = ""  # the back of the definition cloze: the rest of the defining line

    @property
    def is_multiple_choice(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True)
class Deck:
    """One source file: the deck's name and description, its entries and what parsing found."""

    name: str
    description: str
    location: Location
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    notices: tuple[Diagnostic, ...] = field(default=())  # lint findings only `mlanki check` shows

    @property
    def topics(self) -> tuple[str, ...]:
        """Topics that hold at least one entry, in source order."""
        return tuple(dict.fromkeys(e.topic for e in self.entries if e.topic))
