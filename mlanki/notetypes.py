"""mlanki's two note types. Their field lists are frozen: Anki treats a changed field list as a
new note type and drops incoming edits as conflicts (ANKI-FACTS.md), so fields were designed
once with room to grow (``Status`` marks retired notes); templates and CSS may change freely.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

BASIC = "basic"
CLOZE = "cloze"


@dataclass(frozen=True)
class NoteType:
    """What a note type is made of; the ``id`` is a constant, never the clock."""

    kind: str
    id: int
    name: str
    fields: tuple[str, ...]
    front: str
    back: str
    css: str
    is_cloze: bool = False
    sort_field: int = 0

    @property
    def fields_hash(self) -> str:
        return hashlib.sha256("\x1f".join(self.fields).encode()).hexdigest()[:16]

    @property
    def look_hash(self) -> str:
        """Changes when templates or CSS change (an in-place update for learners)."""
        look = "\x1e".join((self.name, self.front, self.back, self.css))
        return hashlib.sha256(look.encode()).hexdigest()[:16]

    def with_new_fields(self, fields: tuple[str, ...]) -> "NoteType":
        """This note type with another field list and a new id derived from it."""
        digest = hashlib.sha256((self.name + "\x1f" + "\x1f".join(fields)).encode()).hexdigest()
        return NoteType(self.kind, (1 << 30) + int(digest, 16) % (1 << 30), self.name, fields,
                        self.front, self.back, self.css, self.is_cloze, self.sort_field)


def _template(name: str) -> str:
    return resources.files("mlanki").joinpath("templates", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_notetypes() -> dict[str, NoteType]:
    """The published note types, by kind."""
    css = _template("card.css")
    return {
        BASIC: NoteType(
            kind=BASIC, id=1493961856, name="mlanki Basic",
            fields=("Question", "Options", "Answer", "Explanation", "Topic", "Source", "Status"),
            front=_template("basic_front.html"), back=_template("basic_back.html"), css=css,
        ),
        CLOZE: NoteType(
            kind=CLOZE, id=1915258188, name="mlanki Cloze",
            fields=("Text", "Extra", "Topic", "Source", "Status"),
            front=_template("cloze_front.html"), back=_template("cloze_back.html"), css=css, is_cloze=True,
        ),
    }
