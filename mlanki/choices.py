"""Multiple choice in the maintainer's words: option labels and the sentence that names the answer.

These helpers read one line of plain text at a time (a text node of the Markdown tree), never the
raw file. ``parse`` decides where options can stand; this module says what a line means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "A) ReLU", "a) Sigmoid", "B. Adam", "(C) RMSprop"
_LABEL = re.compile(r"^\s*\(?([A-Ha-h])[).]\s+(?=\S)")
_ANSWER_OPTIONS = re.compile(r"^\s*(?:answer\s+)?(?:options|choices)\s*:\s*", re.IGNORECASE)
_DETAIL = re.compile(r"^\s*(?:detail|explanation)\s*:\s*", re.IGNORECASE)
_ANSWER_LABEL = re.compile(r"^\s*answer\s*:\s*", re.IGNORECASE)
_INLINE_LABEL = re.compile(r"(?:^|(?<=\s))\(?([A-H])[.)]\s+(?=\S)")
_HEADING_OPTION_SEPARATOR = " - "

_STATEMENT = r"(?:the\s+)?correct\s+(?:answer|option|choice)\s+is\s*:?\s+"
_CORRECT_NUMBER = re.compile(_STATEMENT + r"(?:option\s+|number\s+|#)?(\d+)\b", re.IGNORECASE)
_CORRECT_OPTION_LETTER = re.compile(_STATEMENT + r"option\s+\(?([A-Ha-h])\b", re.IGNORECASE)
_CORRECT_LETTER = re.compile(_STATEMENT + r"(?:\(?([A-H])(?=[).:,]|\s*$)|\(?([a-h])\))")
_CORRECT_TEXT = re.compile(_STATEMENT + r"[\"“']?(.+?)[\"”']?\s*(?:[.!](?=\s|$)|$)", re.IGNORECASE)
_OPTION_IN_PARENS = re.compile(r"\(option\s+([A-Ha-h]|\d+)\)", re.IGNORECASE)
_QUOTED_OPTION = re.compile(r"[\"“]\(?([A-Ha-h])\)\s*[^\"”]+[\"”]")
_ANSWER_IS_LETTER = re.compile(r"^\s*answer\s*:\s*\(?([A-Ha-h])[).](?:\s|$)", re.IGNORECASE)

# A sentence that only says which option is right: the card marks the option instead.
MARKER_SENTENCE = re.compile(
    r"(?:^|(?<=[.!?]\s))\s*(?:(?:therefore|so|thus|hence)\s*,?\s+)?" + _STATEMENT + r"(?:.*?[.!](?=\s|$)|.*$)\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CorrectAnswer:
    """Which option a sentence names: ``index`` is 0-based and may be out of range; ``said`` quotes it."""

    index: int
    said: str


def option_label(text: str) -> tuple[str, int]:
    """The label letter of an option line and the length of the label prefix ("", 0 if none)."""
    m = _LABEL.match(text)
    return (m.group(1).upper(), m.end()) if m else ("", 0)


def answer_options_prefix(text: str) -> int:
    """Length of a leading ``Answer options:`` label, 0 when the line has none."""
    m = _ANSWER_OPTIONS.match(text)
    return m.end() if m else 0


def detail_prefix(text: str) -> int:
    """Length of a leading ``Detail:`` or ``Explanation:`` label, 0 when the line has none."""
    m = _DETAIL.match(text)
    return m.end() if m else 0


def answer_prefix(text: str) -> int:
    """Length of a leading ``Answer:`` label, 0 when the line has none."""
    m = _ANSWER_LABEL.match(text)
    return m.end() if m else 0


def marker_sentence(text: str) -> tuple[int, int] | None:
    """(start, end) of a sentence that only states the correct option (first or after another), or None."""
    m = MARKER_SENTENCE.search(text)
    return (m.start(), m.end()) if m else None


def split_inline_options(text: str) -> list[str]:
    """``A. Dropout B. Early stopping C. ...`` on one line -> the option texts ([] if not that form)."""
    marks = [m for m in _INLINE_LABEL.finditer(text)]
    expected, picked = "A", []
    for m in marks:
        if m.group(1) == expected:
            picked.append(m)
            expected = chr(ord(expected) + 1)
    if len(picked) < 2 or text[: picked[0].start()].strip():
        return []
    ends = [m.start() for m in picked[1:]] + [len(text)]
    return [text[m.end():end].strip() for m, end in zip(picked, ends)]


def split_heading_options(text: str) -> tuple[str, list[str]]:
    """``Which ...? - Gini - Entropy - ...`` -> (question, options); (text, []) for other headings."""
    parts = [p.strip() for p in text.split(_HEADING_OPTION_SEPARATOR)]
    if len(parts) < 3 or not parts[0].endswith(("?", ":")) or not all(parts[1:]):
        return text, []
    return parts[0], parts[1:]


def looks_like_option_list(labels: list[str]) -> bool:
    """Labelled A, B, C... in order (an unlabelled first item allowed, as the maintainer writes)."""
    letters = [label for label in labels if label]
    if len(letters) < 2 or len(letters) < len(labels) - 1:
        return False
    start = labels.index(letters[0])
    return all(ord(letter) - ord("A") == start + i for i, letter in enumerate(letters))


_MAYBE_CORRECT = re.compile(r"correct|option|answer|[\"“]\(?[A-Ha-h]\)", re.IGNORECASE)


def find_correct(text: str, options: list[str]) -> CorrectAnswer | None:
    """The option a line names as correct, in any of the maintainer's phrasings, or None."""
    if not _MAYBE_CORRECT.search(text):
        return None  # most prose lines: one cheap search instead of seven
    m = _CORRECT_NUMBER.search(text)
    if m:
        return CorrectAnswer(int(m.group(1)) - 1, m.group(0).strip())
    for pattern in (_CORRECT_OPTION_LETTER, _CORRECT_LETTER, _OPTION_IN_PARENS, _QUOTED_OPTION, _ANSWER_IS_LETTER):
        m = pattern.search(text)
        if m:
            value = next(g for g in m.groups() if g)
            index = int(value) - 1 if value.isdigit() else ord(value.upper()) - ord("A")
            return CorrectAnswer(index, m.group(0).strip())
    m = _CORRECT_TEXT.search(text)
    if m:
        said = _normal(m.group(1))
        for index, option in enumerate(options):
            if _normal(option) == said:
                return CorrectAnswer(index, m.group(0).strip())
    return None


def _normal(text: str) -> str:
    return " ".join(text.casefold().strip(" .!\"'“”").split())


# -- when no sentence states the answer ---------------------------------------------------------
_TRUE_FALSE = re.compile(r"^\W*(?:true\s+or\s+false|true\s*/\s*false)\b", re.IGNORECASE)
_VERDICT = re.compile(r"^\W*(true|false)\b\W*", re.IGNORECASE)
_CHOOSE = re.compile(r"\bwhich\b|\bfollowing\b|\b(?:select|choose|pick)\b|\btrue\s+or\s+false\b", re.IGNORECASE)
_OPTION_MENTION = re.compile(r"\boption\s+\(?([A-Ha-h]|\d)\b\)?", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\s*\([^)]*\)")
_WORD = re.compile(r"[a-z0-9]+")
TRUE_FALSE = ("True", "False")


def is_true_false(question: str) -> bool:
    """"True or False: ..." questions: a two-option choice."""
    return bool(_TRUE_FALSE.match(question))


def verdict(text: str) -> tuple[int, int] | None:
    """(index into ``TRUE_FALSE``, length of the verdict prefix) when ``text`` opens with True or False."""
    m = _VERDICT.match(text)
    return (0 if m.group(1).lower() == "true" else 1, m.end()) if m else None


def asks_to_choose(question: str) -> bool:
    """The question asks to pick among options ("Which ...", "... of the following", "Select ...")."""
    return bool(_CHOOSE.search(question))


def named_options(text: str, options: list[str]) -> list[int]:
    """Options an explanation names, matched tolerantly (case, plural, hyphens, "option a", "(option C)").

    An option named only inside a longer option that is also named ("Gradient Descent" inside
    "Stochastic Gradient Descent") does not count. Used only when no sentence states the answer.
    """
    said = " " + " ".join(_words(text)) + " "
    found: dict[int, str] = {}
    for m in _OPTION_MENTION.finditer(text):
        value = m.group(1)
        index = int(value) - 1 if value.isdigit() else ord(value.upper()) - ord("A")
        if 0 <= index < len(options):
            found[index] = ""
    for index, option in enumerate(options):
        for variant in dict.fromkeys((option, _PARENTHETICAL.sub("", option))):
            words = " ".join(_words(variant))
            if len(words) >= 2 and f" {words} " in said:
                found.setdefault(index, words)
    phrases = {i: w for i, w in found.items() if w}
    for index, words in phrases.items():
        longer = [w for j, w in phrases.items() if j != index and f" {words} " in f" {w} "]
        if longer and all(said.count(f" {words} ") <= said.count(f" {w} ") for w in longer):
            found.pop(index, None)
    return sorted(found)


def _words(text: str) -> list[str]:
    """Words for tolerant matching: lower case, hyphens as spaces, a plural "s" dropped."""
    words = _WORD.findall(text.casefold().replace("-", " "))
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]
