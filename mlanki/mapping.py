"""Entries to notes: which note type, which fields, which subdeck and tags.

An entry gives one basic note (question, lettered options, marked correct option, explanation),
or one cloze note when the source uses cloze markup; a "What is X?" entry that opens by defining
X also gives a definition cloze note beside its basic one.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from mlanki.entries import Deck, Entry
from mlanki.notetypes import BASIC, CLOZE

ENTRY = "entry"
DEFINITION = "definition"
RETIRED_TAG = "mlanki::retired"
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff]")
_TRAILING = re.compile(r"[\s?.:!;,…]+$")


@lru_cache(maxsize=1 << 18)  # asked twice per entry (duplicate check, then identity)
def normalise_question(text: str) -> str:
    """What identity compares: case, whitespace, invisible characters and end punctuation ignored."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return _TRAILING.sub("", " ".join(text.casefold().split()))


@dataclass(frozen=True)
class NoteSpec:
    """A note as this build wants it, before identity (GUID, id, mod) is given to it."""

    kind: str
    role: str
    key: str
    fields: tuple[tuple[str, str], ...]
    deck: str
    tags: tuple[str, ...]
    entry: Entry

    @property
    def field_values(self) -> dict[str, str]:
        return dict(self.fields)

    @cached_property
    def content_hash(self) -> str:
        """Changes exactly when what a learner sees changes (the source line number does not count)."""
        shown = [f"{name}\x1f{value}" for name, value in self.fields if name != "Source"]
        payload = "\x1e".join([self.kind, *shown, "\x1d".join(self.tags)])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @cached_property
    def answer_hash(self) -> str:
        """The answer side alone, so a reworded question with the same answer is recognised."""
        values = self.field_values
        answer = values.get("Options", "") + values.get("Answer", "") + values.get("Explanation", "") + values.get("Text", "")
        return hashlib.sha256(" ".join(answer.split()).encode()).hexdigest()[:16]


def notes_for(deck: Deck) -> list[NoteSpec]:
    """The notes of a parsed deck, in source order."""
    notes: list[NoteSpec] = []
    for entry in deck.entries:
        key = normalise_question(entry.question_text)
        subdeck = f"{deck.name}::{entry.topic}" if entry.topic else deck.name
        tags = _tags(entry)
        source = str(entry.location)
        if entry.cloze:
            fields = (("Text", entry.cloze), ("Extra", ""), ("Topic", entry.topic), ("Source", source), ("Status", ""))
            notes.append(NoteSpec(CLOZE, ENTRY, key, fields, subdeck, tags + ("mlanki::cloze",), entry))
            continue
        fields = (
            ("Question", entry.question), ("Options", _options_html(entry)), ("Answer", entry.answer),
            ("Explanation", entry.explanation), ("Topic", entry.topic), ("Source", source), ("Status", ""),
        )
        kind_tags = ("mlanki::multiple-choice",) if entry.options else ()
        notes.append(NoteSpec(BASIC, ENTRY, key, fields, subdeck, tags + kind_tags, entry))
        if entry.definition:
            fields = (("Text", entry.definition), ("Extra", entry.definition_context), ("Topic", entry.topic),
                      ("Source", source), ("Status", ""))
            notes.append(NoteSpec(CLOZE, DEFINITION, key, fields, subdeck, tags + ("mlanki::definition",), entry))
    return notes


def retired_fields(kind: str, question: str, status: str) -> tuple[tuple[str, str], ...]:
    """Fields of a note whose entry left the source: the question stays readable, the card says why."""
    text = html.escape(question, quote=False)
    if kind == CLOZE:
        return (("Text", "{{c1::%s}}" % text), ("Extra", ""), ("Topic", ""), ("Source", ""), ("Status", status))
    return (("Question", text), ("Options", ""), ("Answer", ""), ("Explanation", ""), ("Topic", ""),
            ("Source", ""), ("Status", status))


def _tags(entry: Entry) -> tuple[str, ...]:
    return (re.sub(r"\s+", "_", entry.topic.strip()),) if entry.topic.strip() else ()


def _options_html(entry: Entry) -> str:
    if not entry.options:
        return ""
    items = []
    for index, option in enumerate(entry.options):
        css = ' class="mlanki-correct"' if index == entry.correct else ""
        items.append(f"<li{css}>{option}</li>")
    return '<ol type="A">' + "".join(items) + "</ol>"
