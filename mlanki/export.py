"""``mlanki export``: parsed entries as JSON or CSV, for tools that are not Anki.

One record per entry, each part (question, answer, explanation, options) as plain text and as
card HTML. When entries carry the author's Markdown of a part (an ``Entry`` field named
``<part>_markdown``, e.g. ``answer_markdown``), it is exported too, under ``markdown``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re

from mlanki.entries import Deck, Entry

PARTS = ("question", "answer", "explanation")
FORMATS = ("json", "csv")
_BREAK = re.compile(r"<br\s*/?>|</(?:p|li|div|tr|h\d|pre)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    """Card HTML as text: tags dropped, line breaks and paragraphs kept as newlines, entities decoded."""
    text = _TAG.sub("", _BREAK.sub("\n", fragment))
    lines = [" ".join(line.split()) for line in html.unescape(text).split("\n")]
    return "\n".join(line for line in lines if line)


def kind_of(entry: Entry) -> str:
    if entry.cloze:
        return "cloze"
    return "multiple choice" if entry.is_multiple_choice else "basic"


def part(entry: Entry, name: str) -> dict:
    """One part of an entry in every form the entry holds."""
    fragment = getattr(entry, name)
    found = {"text": entry.question_text if name == "question" else plain_text(fragment), "html": fragment}
    markdown = getattr(entry, f"{name}_markdown", None)
    if markdown is not None:
        found["markdown"] = markdown
    return found


def entry_record(deck: Deck, entry: Entry) -> dict:
    """Everything a tool needs about one entry, as plain JSON-ready values."""
    return {
        "deck": deck.name,
        "topic": entry.topic,
        "file": entry.location.file,
        "line": entry.location.line,
        "kind": kind_of(entry),
        "id": entry.explicit_id,
        **{name: part(entry, name) for name in PARTS},
        "options": [{"text": plain_text(option), "html": option, "correct": index == entry.correct}
                    for index, option in enumerate(entry.options)],
        "cloze": entry.cloze,
        "definition": entry.definition,
    }


def to_json(decks: list[Deck]) -> str:
    return json.dumps([entry_record(d, e) for d in decks for e in d.entries], indent=2, ensure_ascii=False) + "\n"


def to_csv(decks: list[Deck]) -> str:
    """One row per entry; parts as plain text (options one per line, the correct one marked ``*``), then HTML."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["deck", "topic", "file", "line", "kind", "question", "answer", "explanation", "options",
                     "question_html", "answer_html", "explanation_html"])
    for deck in decks:
        for entry in deck.entries:
            record = entry_record(deck, entry)
            options = "\n".join(("* " if o["correct"] else "  ") + o["text"] for o in record["options"])
            writer.writerow([deck.name, entry.topic, entry.location.file, entry.location.line, record["kind"],
                             *(record[name]["text"] for name in PARTS), options,
                             *(record[name]["html"] for name in PARTS)])
    return out.getvalue()


def export(decks: list[Deck], output_format: str) -> str:
    """The entries of ``decks`` in ``output_format`` (json or csv)."""
    return to_json(decks) if output_format == "json" else to_csv(decks)
