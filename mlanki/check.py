"""Validate step and ``mlanki check``: rules over parsed decks, each a small function.

``BUILD_RULES`` guard every build: everything that would stop packaging or make a deck wrong
(duplicate identity, a note Anki would give no card, a file name too long) is found here, with
``file:line``, before anything is packaged, so ``check`` and ``build`` always agree. ``LINT_RULES``
are what ``mlanki check`` adds for the author: likely mistakes that still give a deck.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from mlanki.entries import ERROR, WARNING, Deck, Diagnostic, Location
from mlanki.mapping import normalise_question, scripts
from mlanki.mathfix import DOUBLED_FORMULA, DOUBLED_SYMBOL

Rule = Callable[[list[Deck]], Iterable[Diagnostic]]
MAX_CLOZE_NUMBER = 100  # card ids are note id + card ord, and note ids are 100 apart (identity)
MAX_SLUG_BYTES = 200    # <slug>-<version>.apkg and its staged copy stay under the usual 255-byte name limit
_CLOZE_DELETION = re.compile(r"\{\{c(\d+)::.+?\}\}", re.DOTALL)
_CLOZE_OPENING = re.compile(r"\{\{c(\d+)::")
_TAG = re.compile(r"<[^>]*>")
_ONLY_NUMBER = re.compile(r"\s*(?:Q\s*)?\d*\s*[.):]?\s*", re.IGNORECASE)


def cloze_cards(text: str) -> list[int]:
    """The card ords a cloze text gives (one per distinct {{cN::...}}, N >= 1): what packaging writes."""
    return sorted({int(n) - 1 for n in _CLOZE_DELETION.findall(text) if int(n) > 0})


def card_problem(cloze: str) -> str:
    """Why a cloze text would give no card (or too many), or "" when it is fine."""
    ords = cloze_cards(cloze)
    if ords and max(ords) < MAX_CLOZE_NUMBER:
        return ""
    if ords:
        return f"cloze number c{max(ords) + 1} is too large: a note holds at most c{MAX_CLOZE_NUMBER}"
    for m in _CLOZE_OPENING.finditer(cloze):
        rest = cloze[m.end():]
        if int(m.group(1)) == 0:
            return "cloze numbers start at 1: {{c0::...}} gives no card"
        if "}}" not in rest:
            return f"cloze deletion {{{{c{m.group(1)}::... is never closed with }}}}"
        if rest.startswith("}}"):
            return f"cloze deletion {{{{c{m.group(1)}::}}}} is empty"
    return "this cloze note has no deletion, so Anki would give it no card"


def cloze_validity(decks: list[Deck]) -> Iterable[Diagnostic]:
    """A cloze note without a usable deletion (unclosed, empty, c0, or a number too large) has no card."""
    for deck in decks:
        for entry in deck.entries:
            for text in (entry.cloze, entry.definition):
                problem = text and card_problem(text)
                if problem:
                    yield Diagnostic(entry.location, ERROR, problem,
                                     hint="write deletions as {{c1::hidden text}}, numbered from c1", code="cloze")


def empty_questions(decks: list[Deck]) -> Iterable[Diagnostic]:
    """A question with nothing to show (``#### 1.``, only a comment) gives a blank card front."""
    for deck in decks:
        for entry in deck.entries:
            if entry.cloze:
                continue
            visible = _TAG.sub("", entry.question).replace("&nbsp;", " ")
            if (not visible.strip() or _ONLY_NUMBER.fullmatch(entry.question_text)) and "<img" not in entry.question:
                yield Diagnostic(entry.location, ERROR, "the question is empty",
                                 hint="write the question in the heading", code="empty-question")


def file_names(decks: list[Deck]) -> Iterable[Diagnostic]:
    """Each deck's package is named after its title: too long a name cannot be written, two equal ones collide."""
    from mlanki.build import slug

    seen: dict[str, Location] = {}
    for deck in decks:
        name = slug(deck.name)
        if len(name.encode("utf-8")) > MAX_SLUG_BYTES:
            yield Diagnostic(deck.location, ERROR, f"the deck name is too long for a file name ({len(name)} "
                             f"characters as '{name[:30]}…'; at most {MAX_SLUG_BYTES})",
                             hint="shorten the # title (or the front matter title)", code="file-name")
        elif name in seen and deck.name not in (d.name for d in decks[:decks.index(deck)]):
            yield Diagnostic(deck.location, ERROR, f"the deck name '{deck.name}' gives the same file name "
                             f"({name}.apkg) as the deck at {seen[name]}",
                             hint="give the decks titles that differ in letters or digits", code="file-name")
        seen.setdefault(name, deck.location)


def duplicate_questions(decks: list[Deck]) -> Iterable[Diagnostic]:
    """Two entries with the same normalised question in one deck would share a GUID."""
    for deck in decks:
        seen: dict[str, Location] = {}
        for entry in deck.entries:
            key = entry.explicit_id and "id:" + entry.explicit_id or normalise_question(entry.question_text)
            if key in seen:
                yield Diagnostic(entry.location, ERROR,
                                 f"duplicate question (also at {seen[key]}): {entry.question_text}",
                                 hint="reword one of them, or give each <!-- mlanki-id: NAME -->",
                                 code="duplicate")
            else:
                seen[key] = entry.location


def duplicate_decks(decks: list[Deck]) -> Iterable[Diagnostic]:
    """Anki matches decks by name, so two sources with one title would mix their cards."""
    seen: dict[str, Location] = {}
    for deck in decks:
        if deck.name in seen:
            yield Diagnostic(deck.location, ERROR, f"deck name '{deck.name}' is also used by {seen[deck.name]}",
                             hint="give each source its own # title", code="duplicate-deck")
        else:
            seen[deck.name] = deck.location


def no_questions(decks: list[Deck]) -> Iterable[Diagnostic]:
    """A file that gives no card is almost always the wrong file or the wrong settings."""
    for deck in decks:
        if not deck.entries and not any(d.is_error for d in deck.diagnostics):
            yield Diagnostic(Location(deck.location.file, 1), ERROR, "no questions found in this file",
                             hint="questions are headings below the topic level, each followed by its answer",
                             code="no-questions")


# -- line rules: ``parse`` runs these on every prose line when linting -------------------------------
_CODE_SPAN = re.compile(r"`+[^`]*`+")


# A lone $ (not $$, not \$): the ones of a line pair up in order, as TeX reads them.
_DOLLAR = re.compile(r"(?<![\\$])\$(?!\$)")


def _spaced_dollars(line: str):
    """``$ k=5 $`` pairs: a formula with spaces inside both its $ signs (copy-pasted prose such as
    "for$ k=5 $or$ k=10 $will"), which Markdown math does not read as the author meant."""
    signs = [m.start() for m in _DOLLAR.finditer(line)]
    for start, end in zip(signs[::2], signs[1::2]):
        inside = line[start + 1:end]
        if inside.strip() and inside[0] in " \t" and inside[-1] in " \t":
            yield start, line[start:end + 1], inside.strip()


def line_problems(raw_line: str) -> list[tuple[int, str, str, str]]:
    """Findings on one source line of prose: (column, code, message, hint)."""
    line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), raw_line)
    found = []
    for m in sorted([*DOUBLED_FORMULA.finditer(line), *DOUBLED_SYMBOL.finditer(line)], key=lambda m: m.start()):
        if any(m.start() < end for _c, _k, _m, _h, end in found):
            continue  # inside a formula already reported
        token = m.group(1)
        found.append((m.start() + 1, "math-artefact",
                      f"looks like copy-pasted math with a doubled token: '{m.group(0)}'",
                      f"write it once, e.g. '{token}' or ${token}$", m.end()))
    for opening, closing in (("\\(", "\\)"), ("\\[", "\\]")):
        if line.count(opening) != line.count(closing):
            column = (line.find(opening) if line.count(opening) > line.count(closing) else line.find(closing)) + 1
            found.append((column, "math-delimiters", f"unbalanced math delimiters {opening} ... {closing}",
                          "close the formula on the same line", 0))
    if line.count("$$") % 2:
        found.append((line.find("$$") + 1, "math-delimiters", "unbalanced $$ math delimiter",
                      "close display math with $$", 0))
    for start, written, formula in _spaced_dollars(line):
        found.append((start + 1, "math-delimiters", f"math between $ signs with spaces inside: '{written}' "
                      "(a $ is read as math only with no space inside it, so the text around it may become math)",
                      f"write ${formula}$", 0))
    return [(c, k, m, h) for c, k, m, h, _end in found]


_WORD = re.compile(r"\w+")


def lookalike_letters(decks: list[Deck]) -> Iterable[Diagnostic]:
    """A word mixing Latin with Cyrillic or Greek letters is almost always a copied lookalike."""
    for deck in decks:
        for entry in deck.entries:
            for m in _WORD.finditer(entry.question_text):
                found = scripts(m.group(0)) if not m.group(0).isascii() else set()
                if len(found) > 1 and "LATIN" in found:
                    yield Diagnostic(entry.location, WARNING,
                                     f"'{m.group(0)}' mixes {' and '.join(sorted(found))} letters (a lookalike "
                                     "character?); identity reads it as Latin", code="lookalike",
                                     hint="retype the word")
                    break


def notices(decks: list[Deck]) -> Iterable[Diagnostic]:
    """What parsing noticed while linting (text outside cards, math artefacts, delimiters)."""
    for deck in decks:
        yield from deck.notices


BUILD_RULES: tuple[Rule, ...] = (duplicate_questions, duplicate_decks, no_questions, cloze_validity,
                                 empty_questions, file_names)
LINT_RULES: tuple[Rule, ...] = (notices, lookalike_letters)


def run_rules(decks: list[Deck], rules: Iterable[Rule]) -> list[Diagnostic]:
    return [d for rule in rules for d in rule(decks)]
