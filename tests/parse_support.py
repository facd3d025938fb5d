"""Shared helpers for the data-driven parser tests: expected warnings and entries as plain values."""

from __future__ import annotations

FILE = "x.md"
DIRECT = '<p class="mlanki-direct">'  # a short direct answer: the one kind of answer set in bold


def expected_entry(line, question, answer="", explanation="", *, options=(), correct=None, topic="",
                   question_text=None, cloze="", definition=""):
    """One expected entry, every field spelled out."""
    return dict(location=f"{FILE}:{line}", topic=topic, question=question,
                question_text=question if question_text is None else question_text,
                answer=answer, explanation=explanation, options=tuple(options), correct=correct,
                cloze=cloze, definition=definition)


def expected_mc(line, question, options, correct, explanation="", **kw):
    """An expected multiple-choice entry: the answer is the correct option with its letter."""
    answer = f"{DIRECT}{'ABCDEFGH'[correct]}. {options[correct]}</p>" if correct is not None else ""
    return expected_entry(line, question, answer, explanation, options=options, correct=correct, **kw)


def W(line, code):
    """One expected warning."""
    return (f"{FILE}:{line}", "warning", code)


def ERR(line, code):
    """One expected error."""
    return (f"{FILE}:{line}", "error", code)


def entries_of(deck):
    """A deck's entries as dicts, so a failing test shows which field differs."""
    return [dict(location=str(e.location), topic=e.topic, question=e.question, question_text=e.question_text,
                 answer=e.answer, explanation=e.explanation, options=e.options, correct=e.correct,
                 cloze=e.cloze, definition=e.definition) for e in deck.entries]


def diagnostics_of(deck):
    """A deck's diagnostics as (place, level, code)."""
    return [(str(d.location), d.level, d.code) for d in deck.diagnostics]
