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
# Unicode's Default_Ignorable_Code_Point set (soft hyphen, zero-width and bidi controls, variation
# selectors, tags...): invisible in a card, so never part of what makes two questions different.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
                        "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
_TRAILING = re.compile(r"[\s?.:!;,…]+$")
_WORD = re.compile(r"\w+")
# Cyrillic and Greek letters that look like Latin ones, read as Latin inside a word that mixes scripts
# ("cоnvolution" with a Cyrillic о): a copied lookalike is the same question, not a new note.
_LOOKALIKES = str.maketrans("асеорхуіјѕԁһӏкмнтвАВСЕНІЈКМНОРЅТХУοαιϲνκτρυχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ",
                            "aceopxyijsdhlkmhtbABCEHIJKMHOPSTXYoaicvktpuxABEHIKMNOPTYXZ")


def scripts(word: str) -> set[str]:
    """The scripts of a word's letters (LATIN, CYRILLIC, GREEK, ...), from their Unicode names."""
    found = set()
    for char in word:
        if char.isalpha():
            name = unicodedata.name(char, "")
            found.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return found


def _latin_skeleton(match: re.Match) -> str:
    word = match.group(0)
    if word.isascii():
        return word
    mixed = scripts(word)
    return word.translate(_LOOKALIKES) if "LATIN" in mixed and len(mixed) > 1 else word


@lru_cache(maxsize=1 << 18)  # asked twice per entry (duplicate check, then identity)
def normalise_question(text: str) -> str:
    """What identity compares: Unicode compatibility forms (NFKC), case, whitespace, invisible
    characters, lookalike letters inside a Latin word, and end punctuation ignored."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = _WORD.sub(_latin_skeleton, text) if not text.isascii() else text
    return _TRAILING.sub("", " ".join(text.casefold().split()))


def content_hash(kind: str, fields, tags) -> str:
    """Changes exactly when what a learner sees changes (the Source reference does not count)."""
    shown = [f"{name}\x1f{value}" for name, value in fields if name != "Source"]
    payload = "\x1e".join([kind, *shown, "\x1d".join(tags)])
    return hashlib.sha256(payload.encode("utf-8", "backslashreplace")).hexdigest()[:16]


def answer_hash(values: dict[str, str]) -> str:
    """The answer side alone, so a reworded question with the same answer is recognised."""
    answer = values.get("Options", "") + values.get("Answer", "") + values.get("Explanation", "") + values.get("Text", "")
    return hashlib.sha256(" ".join(answer.split()).encode("utf-8", "backslashreplace")).hexdigest()[:16]


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
        return content_hash(self.kind, self.fields, self.tags)

    @cached_property
    def answer_hash(self) -> str:
        return answer_hash(self.field_values)


def notes_for(deck: Deck, source_path: str = "") -> list[NoteSpec]:
    """The notes of a parsed deck, in source order; ``source_path`` names the file in the Source field
    (identity later replaces the line with the one recorded for the note's release)."""
    notes: list[NoteSpec] = []
    for entry in deck.entries:
        key = normalise_question(entry.question_text)
        subdeck = inert_name(f"{deck.name}::{entry.topic}" if entry.topic else deck.name)
        tags = _tags(entry)
        source = html.escape(f"{source_path}:{entry.location.line}" if source_path else str(entry.location), quote=False)
        topic = html.escape(entry.topic, quote=False)  # text, shown as written: never markup
        if entry.cloze:
            fields = (("Text", entry.cloze), ("Extra", ""), ("Topic", topic), ("Source", source), ("Status", ""))
            notes.append(NoteSpec(CLOZE, ENTRY, key, fields, subdeck, tags + ("mlanki::cloze",), entry))
            continue
        fields = (
            ("Question", entry.question), ("Options", _options_html(entry)), ("Answer", entry.answer),
            ("Explanation", entry.explanation), ("Topic", topic), ("Source", source), ("Status", ""),
        )
        kind_tags = ("mlanki::multiple-choice",) if entry.options else ()
        notes.append(NoteSpec(BASIC, ENTRY, key, fields, subdeck, tags + kind_tags, entry))
        if entry.definition:
            fields = (("Text", entry.definition), ("Extra", entry.definition_context), ("Topic", topic),
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


def inert_name(text: str) -> str:
    """A deck name or tag that no template or screen can read as markup: ``<`` and ``>`` become the
    look-alikes ``‹`` and ``›`` (Anki escapes deck names in its deck list, but a template's ``{{Deck}}``,
    ``{{Subdeck}}`` or ``{{Tags}}`` inserts them as they are)."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


def _tags(entry: Entry) -> tuple[str, ...]:
    return (inert_name(re.sub(r"\s+", "_", entry.topic.strip())),) if entry.topic.strip() else ()


def _options_html(entry: Entry) -> str:
    if not entry.options:
        return ""
    items = []
    for index, option in enumerate(entry.options):
        css = ' class="mlanki-correct"' if index == entry.correct else ""
        items.append(f"<li{css}>{option}</li>")
    return '<ol type="A">' + "".join(items) + "</ol>"
